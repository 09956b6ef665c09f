// One owner of an embedded data directory. PGlite is a single-process database: two processes that open the same
// files each believe they own them, and what one writes the other never sees (or overwrites when it flushes). So the
// process that opens the directory first writes `beacon.lock` into it, holding its pid and, once it listens, the URL
// it serves. Another process reads the lock to find the owner: the import CLI sends its work to that URL, and a second
// server refuses to start, naming the pid.
//
// Creation is exclusive and complete at once: the content goes to a private temporary file which is then hard-linked
// to the lock's name. link(2) fails with EEXIST when the name exists (the same guarantee as open with O_EXCL), and a
// reader never sees a lock without its content, which a plain O_EXCL create followed by a write would allow.
//
// A lock whose owner is gone (killed, crashed, the machine restarted) is stale and the next opener takes it over,
// saying so in the log. On this host, gone means the pid is not alive, or is alive with another start time (the pid
// was reused). A lock written on another host (a data directory on a shared volume, a recreated container with a new
// hostname) cannot be checked by pid: its owner touches it every HEARTBEAT_MS, and it is stale once untouched for
// FOREIGN_STALE_MS.
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = 'beacon.lock';
const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;
/** A takeover guard older than this was left by a process that died in the middle of a takeover. */
const GUARD_STALE_MS = 10_000;
const ATTEMPTS = 20;

export type LockRole = 'server' | 'import';

/** Lock files this process holds: a second open in the same process is refused like one from another process. */
const heldHere = new Set<string>();

/** What the lock file holds (JSON). */
export interface LockOwner {
  pid: number;
  hostname: string;
  role: LockRole;
  /** The GraphQL URL the owner serves, once it listens; null before that, and for a process that serves nothing. */
  url: string | null;
  /** When the owner took the lock (ISO 8601). */
  since: string;
  /** The owner's start time as the kernel counts it (Linux), to tell the owner from a later process with its pid. */
  processStart: string | null;
}

/** The directory is held by a live process; the message says by whom and what to do. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(lockedMessage(dataDir, owner));
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Records the URL the owner serves, so that other processes (the import CLI) can reach it. */
  advertise(url: string): void;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

export interface AcquireOptions {
  role: LockRole;
  /** Told when a stale lock is taken over (the server logs it). */
  onTakeover?: (stale: LockOwner | undefined, file: string) => void;
}

/** Takes the lock of `dataDir` or throws DataDirLockedError naming the live owner. */
export async function acquireDataDirLock(dataDir: string, options: AcquireOptions): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    role: options.role,
    url: null,
    since: new Date().toISOString(),
    processStart: processStartOf(process.pid),
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    if (createExclusive(file, me)) return held(file, me);
    const found = readLock(file);
    if (found.kind === 'missing') continue;
    if (found.kind === 'owner' && isAlive(found.owner, file)) throw new DataDirLockedError(dataDir, found.owner);
    // Stale, or unreadable (a truncated file: the link above never leaves one, a full disk or a hand edit might).
    const stale = found.kind === 'owner' ? found.owner : undefined;
    if (takeOver(file, stale, me)) {
      options.onTakeover?.(stale, file);
      return held(file, me);
    }
    // Another process is taking the same stale lock over: look again once it is done.
    await sleep(10 + attempt * 10);
  }
  throw new Error(`could not take the lock ${file}: other processes kept changing it; retry`);
}

/** The live owner of `dataDir`, or undefined when there is none (no lock, or a stale one). */
export function liveOwner(dataDir: string): LockOwner | undefined {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  const found = readLock(file);
  return found.kind === 'owner' && isAlive(found.owner, file) ? found.owner : undefined;
}

/** Why `dataDir` cannot be opened, and what to do about it. */
export function lockedMessage(dataDir: string, owner: LockOwner): string {
  const who =
    owner.role === 'import'
      ? `an import (npm run import:io, pid ${owner.pid} on ${owner.hostname}, since ${owner.since})`
      : `a Beacon server (pid ${owner.pid} on ${owner.hostname}, since ${owner.since}` +
        `${owner.url ? `, serving ${owner.url}` : ', still starting'})`;
  const todo =
    owner.role === 'import'
      ? 'Wait for it to finish, then retry.'
      : `Stop that server first (kill ${owner.pid}), or start this one with another DATA_DIR, or run every process on one ` +
        'PostgreSQL with DATABASE_URL. To import into the running server, use npm run import:io (it goes through the server).';
  return `the embedded database in ${dataDir} is in use by ${who}. Only one process may open it. ${todo}`;
}

function held(file: string, me: LockOwner): DataDirLock {
  let released = false;
  heldHere.add(file);
  // The heartbeat lets a process on another host tell a live lock from one its owner left behind (see the top).
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // Gone or unwritable: nothing a heartbeat can repair; release() and the next opener sort it out.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(file);
    clearInterval(heartbeat);
    process.off('exit', release);
    const found = readLock(file);
    // Never remove a lock that is not ours (ours was taken over as stale, which a live process never is, but still).
    if (found.kind === 'owner' && sameOwner(found.owner, me)) removeIfPresent(file);
  };
  // A process that exits without stopping (process.exit after an error) leaves no lock behind; a killed one does,
  // and the next opener takes it over.
  process.on('exit', release);
  return {
    file,
    advertise(url) {
      me.url = url;
      // Replaced whole (rename is atomic): a reader sees the old content or the new, never half of it.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(me), { mode: 0o644 });
      renameSync(temporary, file);
    },
    release,
  };
}

/** Creates `file` with `owner` as its content, atomically; false when it exists. */
function createExclusive(file: string, owner: LockOwner): boolean {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner), { mode: 0o644 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeIfPresent(temporary);
  }
}

type Found = { kind: 'owner'; owner: LockOwner } | { kind: 'missing' } | { kind: 'unreadable' };

function readLock(file: string): Found {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && owner.pid > 0 && typeof owner.hostname === 'string') return { kind: 'owner', owner };
  } catch {
    // Falls through: not a lock we wrote.
  }
  return { kind: 'unreadable' };
}

function isAlive(owner: LockOwner, file: string): boolean {
  if (owner.hostname !== os.hostname()) {
    try {
      return Date.now() - statSync(file).mtimeMs < FOREIGN_STALE_MS;
    } catch {
      return false;
    }
  }
  // Our own pid in a lock we do not hold: a previous life of this process's pid (a container restarted as pid 1).
  if (owner.pid === process.pid) return heldHere.has(file);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, under another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartOf(owner.pid);
  return !(owner.processStart && start && start !== owner.processStart);
}

/**
 * Replaces the stale lock with ours. Two processes may find the same stale lock: a guard file (created exclusively)
 * lets one of them at a time look again and replace it, so that the loser never removes the lock the winner just
 * created. False when another process holds the guard or the lock changed meanwhile.
 */
function takeOver(file: string, stale: LockOwner | undefined, me: LockOwner): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, me)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) removeIfPresent(guard);
    } catch {
      // Gone already.
    }
    return false;
  }
  try {
    const now = readLock(file);
    const unchanged =
      now.kind === 'missing' ||
      (now.kind === 'unreadable' && stale === undefined) ||
      (now.kind === 'owner' && stale !== undefined && sameOwner(now.owner, stale));
    if (!unchanged) return false;
    removeIfPresent(file);
    return createExclusive(file, me);
  } finally {
    removeIfPresent(guard);
  }
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.since === b.since;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where there is no /proc. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
