// One owner of the embedded database, with real processes: `npm start` (src/main.ts) on a data directory in a temp
// folder, and `npm run import:io` (src/cli/import-io-main.ts) beside it. The import goes through the running
// server, which serves the model at once and still has it after a restart; a second server on the same directory
// refuses at once, naming the holder; a lock left by a killed server or import is taken over, not a dead end.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, type LockOwner } from '../../src/db/data-dir-lock.js';
import { postGraphql } from '../helpers/app.js';
import { waitFor } from '../helpers/cache.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/main.ts');
const CLI = path.join(ROOT, 'src/cli/import-io-main.ts');
const ADMIN_TOKEN = 'embedded-owner-test-token';
// Starting PGlite and tsx takes 5-15 s alone, and much longer on a loaded 2-core machine: wait for the lock, however long.
const START_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 240_000;

// The 4 x 4 table of the import test (countries X, Y; sectors a, b). For X_a the output multiplier is 68/45.
const TABLE = [',Y_a,X_a,X_b,Y_b', 'Y_a,0,0.1,0,0.5', 'X_a,0,0.1,0,0', 'X_b,0,0.2,0,0', 'Y_b,0,0,0.2,0'].join('\n');

const dir = mkdtempSync(path.join(tmpdir(), 'beacon-embedded-'));
const dataDir = path.join(dir, 'data');
const lockFile = path.join(dataDir, LOCK_FILE);
const table = path.join(dir, 'table.csv');
const badTable = path.join(dir, 'bad.csv');
writeFileSync(table, TABLE);
writeFileSync(badTable, TABLE.replace('X_b,0,0.2,0,0', 'X_b,0,0.2,0,0.95'));

const baseEnv = { NODE_ENV: 'development', LOG_LEVEL: 'info', DATA_DIR: dataDir, SEED: 'none', PORT: '0', CACHE_WARMUP_FILE: 'off' };

interface Server {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  url?: string;
}

const servers: Server[] = [];

function spawnServer(env: Record<string, string> = {}): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: ROOT, env: { ...process.env, ...baseEnv, ADMIN_TOKEN, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const server: Server = { child, output: () => output, exited };
  servers.push(server);
  return server;
}

function readLock(): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** A server that listens: its URL is the one it advertises in the lock. */
async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const server = spawnServer(env);
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  await waitFor(
    () => {
      if (exitCode !== undefined) throw new Error(`the server exited (${exitCode}) before it listened:\n${server.output()}`);
      const lock = readLock();
      return lock !== undefined && lock.pid === server.child.pid && lock.url !== null;
    },
    START_TIMEOUT_MS,
    'the server to listen',
  );
  server.url = readLock()!.url!;
  return server;
}

async function stopServer(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

async function runCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...baseEnv, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const MODELS = '{ ioModels { name } }';
const MULTIPLIER = 'query ($model: String!) { assessment(model: $model, country: "X", sector: "a") { outputMultiplier } }';

async function modelNames(server: Server): Promise<string[]> {
  const { body } = await postGraphql<{ ioModels: { name: string }[] }>(server.url!, MODELS);
  expect(body.errors).toBeUndefined();
  return body.data!.ioModels.map((model) => model.name);
}

async function multiplier(server: Server, model: string): Promise<number> {
  const { body } = await postGraphql<{ assessment: { outputMultiplier: number } }>(server.url!, MULTIPLIER, { model });
  expect(body.errors).toBeUndefined();
  return body.data!.assessment.outputMultiplier;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(stdout);
}

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await Promise.all(servers.map((server) => server.exited));
  rmSync(dir, { recursive: true, force: true });
});

describe('one owner of the embedded database', { timeout: STEP_TIMEOUT_MS }, () => {
  let first: Server;

  it('a running server holds the data directory and advertises its pid and URL in the lock', async () => {
    first = await startServer();
    expect(readLock()).toMatchObject({ pid: first.child.pid, role: 'server', hostname: os.hostname() });
    // Cached before the import: the import must invalidate it.
    expect(await modelNames(first)).toEqual([]);
    expect(await modelNames(first)).toEqual([]);
  });

  it('the import CLI beside a running server goes through it, and the server serves the model at once', async () => {
    const result = await runCli(['--model', 'MY_ICIO', '--file', table], { ADMIN_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created model MY_ICIO: 2 countries x 2 sectors');
    expect(result.stdout).toContain(`through the Beacon server at ${first.url} (pid ${first.child.pid})`);
    expect(await modelNames(first)).toEqual(['MY_ICIO']);
    expect(await multiplier(first, 'MY_ICIO')).toBeCloseTo(68 / 45, 12);
  });

  it('without the admin token the CLI refuses at once, saying what to do, and imports nothing', async () => {
    const result = await runCli(['--model', 'NO_TOKEN', '--file', table]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the Beacon server at ${first.url} (pid ${first.child.pid}) holds the embedded database`);
    expect(result.stderr).toContain('Set ADMIN_TOKEN');
    const wrong = await runCli(['--model', 'NO_TOKEN', '--file', table], { ADMIN_TOKEN: 'not-the-admin-token' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('HTTP 401');
    expect(await modelNames(first)).toEqual(['MY_ICIO']);
  });

  it('a bad table sent through the server is refused with its problem named, and writes nothing', async () => {
    const result = await runCli(['--model', 'BAD', '--file', badTable], { ADMIN_TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.csv was not imported');
    expect(result.stderr).toMatch(/column 5\b/);
    expect(result.stderr).not.toContain(tmpdir() + path.sep + 'beacon-import-');
    expect(await modelNames(first)).toEqual(['MY_ICIO']);
  });

  it('a second server on the same directory refuses at once, naming the holder and what to do', async () => {
    const second = spawnServer();
    expect(await second.exited).toBe(1);
    const output = second.output();
    expect(output).toContain(`in use by a Beacon server (pid ${first.child.pid}`);
    expect(output).toContain(`serving ${first.url}`);
    expect(output).toContain(`Stop that server first (kill ${first.child.pid})`);
    // The first one is untouched.
    expect(readLock()?.pid).toBe(first.child.pid);
    expect(await modelNames(first)).toEqual(['MY_ICIO']);
  });

  let restarted: Server;

  it('after a restart the imported model is still there', async () => {
    await stopServer(first);
    expect(existsSync(lockFile)).toBe(false);
    restarted = await startServer();
    expect(await modelNames(restarted)).toEqual(['MY_ICIO']);
    expect(await multiplier(restarted, 'MY_ICIO')).toBeCloseTo(68 / 45, 12);
  });

  it('a lock left by a killed server is taken over by the import CLI, which then imports on its own', async () => {
    await stopServer(restarted, 'SIGKILL');
    expect(readLock()?.pid).toBe(restarted.child.pid);
    const lockBefore = readFileSync(lockFile, 'utf8');
    const result = await runCli(['--model', 'SECOND', '--file', table]);
    expect(result.stderr).toBe(`import:io: took over the lock ${lockFile} left by pid ${restarted.child.pid} on ${os.hostname()} (server since ${JSON.parse(lockBefore).since}), which is no longer running\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`created model SECOND: 2 countries x 2 sectors`);
    expect(result.stdout).toContain(`into the embedded database in ${dataDir} in`);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('a lock left by a dead process is taken over by the next server start, with a log line', async () => {
    const pid = await deadPid();
    writeFileSync(lockFile, JSON.stringify({ pid, hostname: os.hostname(), role: 'import', url: null, since: '2026-12-01T00:00:00.000Z', processStart: null }));
    const server = await startServer();
    expect(server.output()).toContain(`took over the lock ${lockFile} left by pid ${pid}`);
    expect(await modelNames(server)).toEqual(['MY_ICIO', 'SECOND']);
    expect(await multiplier(server, 'SECOND')).toBeCloseTo(68 / 45, 12);
    await stopServer(server);
    expect(existsSync(lockFile)).toBe(false);
  });
});
