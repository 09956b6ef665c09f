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
  stop(): Promise<void>;
}

/** Starts `src/main.ts` with `env` (over a quiet production-like base) and resolves once it listens. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
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
        resolve({ child, origin, url: `${origin}/graphql`, logs, stop: () => stopProcess(child) });
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
