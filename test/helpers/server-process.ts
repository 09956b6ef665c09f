// A Beacon in a process of its own (`src/main.ts`, as production runs it), for tests where two instances must not
// share an event loop: an invalidation message reaches another process later than the mutation's reply reaches
// the client, which is the race read-after-write must win.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
  url: string;
  logs: string[];
  /** With `cpuProbe`: the server process's CPU time so far (user + system), in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Load test/helpers/cpu-probe.ts into the server, for cpuMs(). */
  cpuProbe?: boolean;
}

/** Starts `src/main.ts` with `env` (over a quiet production-like base) and resolves once it listens. */
export function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const full: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    SEED: 'none',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  };
  const probe = options.cpuProbe ? ['--import', './test/helpers/cpu-probe.ts'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...probe, 'src/main.ts'], {
    cwd: ROOT,
    env: full,
    stdio: options.cpuProbe ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${logs.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (logs.length < 2_000) logs.push(text);
      const match = /"msg":"beacon is listening".*?"url":"(http:\/\/[^"]+)\/graphql"/.exec(text);
      if (match) {
        clearTimeout(timer);
        const origin = match[1]!;
        resolve({ child, origin, url: `${origin}/graphql`, logs, cpuMs: () => cpuOf(child), stop: () => stopProcess(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('')}`));
    });
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  if (!child.send) return Promise.reject(new Error('the server was started without cpuProbe'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the CPU probe did not answer in 10 s')), 10_000);
    child.once('message', (message: { cpu?: NodeJS.CpuUsage }) => {
      clearTimeout(timer);
      if (!message.cpu) return reject(new Error(`unexpected message from the server: ${JSON.stringify(message)}`));
      resolve((message.cpu.user + message.cpu.system) / 1000);
    });
    child.send('cpu');
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
