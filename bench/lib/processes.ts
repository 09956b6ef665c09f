// Child processes: each variant is a separate Node process on its own port, pinned to the server core when taskset
// works; the load generator gets the other core. CPU time is read from /proc/<pid>/stat (utime + stime).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Pinning {
  /** Prefix for the server's command line (empty when pinning is unavailable). */
  server: string[];
  load: string[];
  description: string;
}

/** taskset -c 0 for servers, -c 1 for wrk, if the machine has two CPUs we may use and taskset works; else nothing. */
export function detectPinning(): Pinning {
  const none = { server: [], load: [], description: 'none (taskset unavailable or fewer than 2 usable CPUs)' };
  let cpus: number[];
  try {
    cpus = allowedCpus();
    if (cpus.length < 2) return none;
    execFileSync('taskset', ['-c', String(cpus[0]), 'true'], { stdio: 'ignore' });
    execFileSync('taskset', ['-c', String(cpus[1]), 'true'], { stdio: 'ignore' });
  } catch {
    return none;
  }
  const [server, load] = [String(cpus[0]), String(cpus[1])];
  return {
    server: ['taskset', '-c', server],
    load: ['taskset', '-c', load],
    description: `server on CPU ${server}, wrk on CPU ${load} (taskset); PostgreSQL and Redis unpinned`,
  };
}

function allowedCpus(): number[] {
  const status = readFileSync('/proc/self/status', 'utf8');
  const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '';
  const cpus: number[] = [];
  for (const range of list.split(',')) {
    const [from, to] = range.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerSpec {
  /** Variant name, for messages. */
  name: string;
  /** Script relative to the repository root, run with `node --import tsx`. */
  script: string;
  env: Record<string, string>;
  pinning: Pinning;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

export interface Server {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** CPU time used so far (user + system), in ms. */
  cpuMs(): number;
  /** The first line of output (from now on, or already seen in the last 4,000 characters) that matches pattern. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGSTOP: the process takes no CPU (nor its GC threads) until resume(); see pauseOthers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every server started and not yet stopped: killed when the harness exits, however it exits (Ctrl-C included). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  // SIGKILL ends a stopped process too.
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function procStat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

export async function startServer(spec: ServerSpec): Promise<Server> {
  const port = await freePort();
  const command = [...spec.pinning.server, process.execPath, ...(spec.nodeFlags ?? []), '--import', 'tsx', spec.script];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // taskset execs node in place, so the pid is the server's own.
  const pid = child.pid!;
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const watchers = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const match = (pattern: RegExp, text: string) => text.split('\n').find((line) => pattern.test(line));
  const keep = (chunk: Buffer) => {
    // Lines may be split between chunks: watchers look at the chunk with what came before it.
    const text = output.slice(output.lastIndexOf('\n') + 1) + chunk.toString();
    output = (output + chunk.toString()).slice(-4000);
    for (const watcher of watchers) {
      const line = match(watcher.pattern, text);
      if (line !== undefined) watcher.resolve(line);
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${spec.name} exited with code ${exited} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within 90 s:\n${output}`);
    }
    if (await answers(url)) break;
    await sleep(200);
  }
  return {
    name: spec.name,
    url,
    pid,
    cpuMs() {
      const fields = procStat(pid);
      // utime and stime are fields 14 and 15 of /proc/<pid>/stat, i.e. 11 and 12 after the command name.
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    },
    waitForOutput(pattern, timeoutMs) {
      const seen = match(pattern, output);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const watcher = {
          pattern,
          resolve: (line: string) => {
            watchers.delete(watcher);
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`${spec.name} printed no line matching ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        watchers.add(watcher);
      });
    },
    pause() {
      if (exited === undefined) child.kill('SIGSTOP');
    },
    resume() {
      if (exited === undefined) child.kill('SIGCONT');
    },
    async stop() {
      if (exited !== undefined) return;
      // A paused process would not act on SIGTERM until continued.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timeout = sleep(15_000).then(() => 'timeout' as const);
      if ((await Promise.race([exit, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Waits until the servers' processes are idle together (under 3% of a core over 300 ms), at most `maxMs`: a server
 * that just took a load run may still be collecting garbage or draining its queue, on the core the next variant's
 * server is pinned to, which would land in that variant's p99.
 */
export async function waitUntilIdle(servers: Iterable<Server>, maxMs = 5_000): Promise<void> {
  const byPid = new Map<number, Server>();
  for (const server of servers) byPid.set(server.pid, server);
  const busy = () => {
    let total = 0;
    for (const server of byPid.values()) {
      try {
        total += server.cpuMs();
      } catch {
        // A process that exited is idle.
      }
    }
    return total;
  };
  const windowMs = 300;
  const deadline = Date.now() + maxMs;
  let before = busy();
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const now = busy();
    if (now - before < windowMs * 0.03) return;
    before = now;
  }
}

/**
 * Pauses every server but the `targets` (SIGSTOP) for the length of `body`: the servers share one core, and one that
 * took a load run a moment ago collects its garbage later (V8's memory reducer starts seconds after the load stops,
 * waitUntilIdle cannot see it coming), on the core the measured server is pinned to, where it lands in that
 * server's p99. Paused, the others take no CPU at all, as if each variant had the machine alone.
 */
export async function pauseOthers<T>(servers: Iterable<Server>, targets: Server | readonly Server[], body: () => Promise<T>): Promise<T> {
  const running = new Set((Array.isArray(targets) ? targets : [targets]).map((target: Server) => target.pid));
  const paused = [...new Set(servers)].filter((server) => !running.has(server.pid));
  for (const server of paused) server.pause();
  try {
    return await body();
  } finally {
    for (const server of paused) server.resume();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
