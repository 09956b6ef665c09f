// Runs wrk (one thread: the load generator gets one core, the server the other) with a Lua script from bench/wrk
// and reads the JSON line its done() callback prints.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Pinning } from './processes.js';
import { ROOT } from './processes.js';

export const WRK_DIR = path.join(ROOT, 'bench', 'wrk');

export interface WrkOptions {
  url: string;
  script: 'hot.lua' | 'miss.lua' | 'mixed.lua';
  args: string[];
  connections: number;
  seconds: number;
  pinning: Pinning;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  // wrk takes whole seconds (s, m, h units only).
  const duration = `${Math.max(1, Math.round(options.seconds))}s`;
  const command = [
    ...options.pinning.load,
    'wrk',
    '-t1',
    `-c${options.connections}`,
    `-d${duration}`,
    '--timeout',
    '10s',
    '-s',
    options.script,
    options.url,
    '--',
    ...options.args,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: WRK_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
  });
  const line = output.split('\n').find((candidate) => candidate.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const raw = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
    requests: number;
    duration_us: number;
    errors: WrkResult['errors'];
    latency_us: { p50: number; p90: number; p99: number; max: number };
  };
  const seconds = raw.duration_us / 1e6;
  return {
    requests: raw.requests,
    seconds,
    rps: raw.requests / seconds,
    p50Ms: raw.latency_us.p50 / 1000,
    p90Ms: raw.latency_us.p90 / 1000,
    p99Ms: raw.latency_us.p99 / 1000,
    maxMs: raw.latency_us.max / 1000,
    errors: raw.errors,
  };
}

export function errorCount(result: WrkResult): number {
  const { connect, read, write, status, timeout } = result.errors;
  return connect + read + write + status + timeout;
}
