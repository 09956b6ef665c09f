// The embedded data directory's lock: one holder at a time, the holder named to whoever else tries, and a lock left
// by a process that is gone taken over instead of blocking forever.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, liveOwner, type LockOwner } from '../../src/db/data-dir-lock.js';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'beacon-lock-'));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(dir: string, owner: Partial<LockOwner>): void {
  const lock: LockOwner = { pid: 1, hostname: os.hostname(), role: 'server', url: null, since: '2026-01-01T00:00:00.000Z', processStart: null, ...owner };
  writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
}

describe('data directory lock', () => {
  it('is held by one opener at a time; the next is told who holds it', async () => {
    const dir = freshDir();
    const lock = await acquireDataDirLock(dir, { role: 'server' });
    lock.advertise('http://127.0.0.1:4321/graphql');
    const error = await acquireDataDirLock(dir, { role: 'server' }).catch((e) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain('serving http://127.0.0.1:4321/graphql');
    expect(error.message).toContain(`kill ${process.pid}`);
    expect(liveOwner(dir)).toMatchObject({ pid: process.pid, role: 'server', url: 'http://127.0.0.1:4321/graphql' });
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(liveOwner(dir)).toBeUndefined();
    (await acquireDataDirLock(dir, { role: 'import' })).release();
  });

  it('takes over a lock whose pid is no longer alive, and says so', async () => {
    const dir = freshDir();
    const pid = deadPid();
    writeLock(dir, { pid });
    expect(liveOwner(dir)).toBeUndefined();
    const taken: (LockOwner | undefined)[] = [];
    const lock = await acquireDataDirLock(dir, { role: 'server', onTakeover: (stale) => taken.push(stale) });
    expect(taken.map((owner) => owner?.pid)).toEqual([pid]);
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid was reused by another process (other start time)', async () => {
    const dir = freshDir();
    // pid 1 is alive, but it did not start at this time.
    writeLock(dir, { pid: 1, processStart: '1' });
    expect(liveOwner(dir)).toBeUndefined();
    (await acquireDataDirLock(dir, { role: 'server' })).release();
  });

  it('refuses a lock of a live process on this host, without a start time to compare', async () => {
    const dir = freshDir();
    writeLock(dir, { pid: process.ppid, role: 'import' });
    const error = await acquireDataDirLock(dir, { role: 'server' }).catch((e) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error.message).toContain('Wait for it to finish');
  });

  it('judges a lock written on another host by its heartbeat', async () => {
    const dir = freshDir();
    writeLock(dir, { pid: 4242, hostname: 'another-host' });
    expect(liveOwner(dir)?.hostname).toBe('another-host');
    const old = new Date(Date.now() - 120_000);
    utimesSync(path.join(dir, LOCK_FILE), old, old);
    expect(liveOwner(dir)).toBeUndefined();
    (await acquireDataDirLock(dir, { role: 'server' })).release();
  });

  it('takes over an unreadable lock file', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, LOCK_FILE), '');
    const taken: (LockOwner | undefined)[] = [];
    (await acquireDataDirLock(dir, { role: 'server', onTakeover: (stale) => taken.push(stale) })).release();
    expect(taken).toEqual([undefined]);
  });

  it('gives a stale lock to exactly one of several openers', async () => {
    const dir = freshDir();
    writeLock(dir, { pid: deadPid() });
    // Each opener in its own process, started together; the holder keeps the lock until it is killed at the end.
    const script = `
      import { acquireDataDirLock } from './src/db/data-dir-lock.ts';
      try { await acquireDataDirLock(${JSON.stringify(dir)}, { role: 'server' }); console.log('held'); setInterval(() => {}, 1000); }
      catch (error) { console.log(error.name); process.exit(0); }`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: path.resolve(import.meta.dirname, '../..') }),
    );
    let outcomes: string[];
    try {
      outcomes = await Promise.all(
        children.map((child) => new Promise<string>((resolve) => child.stdout.once('data', (chunk) => resolve(String(chunk).trim())))),
      );
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
    outcomes.sort();
    expect(outcomes).toEqual(['DataDirLockedError', 'DataDirLockedError', 'DataDirLockedError', 'held']);
  });
});
