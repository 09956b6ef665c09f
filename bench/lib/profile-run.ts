// Profiles one Beacon process under one load scenario (node --cpu-prof, 100 µs sampling) and summarizes the load
// phase only: start-up, priming and shutdown are cut off. Used by bench/profile.ts (npm run bench:profile) and at
// the end of the full run (the report's "where a hit's time goes").
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BEACON_BENCH_ENV, cacheSettled, forEachLimit, postOk } from './http.js';
import { summarize, type ProfileSummary } from './profile-analysis.js';
import { ROOT, startServer, type Pinning } from './processes.js';
import { hotBodies, templateParts } from './workload.js';
import { runWrk, type WrkResult } from './wrk.js';

export type ProfiledScenario = 'a' | 'b' | 'c';

export interface ProfileOptions {
  scenario: ProfiledScenario;
  databaseUrl: string;
  redisUrl: string;
  namespace: string;
  seconds: number;
  connections: number;
  pinning: Pinning;
  /** Extra configuration for the profiled Beacon (e.g. CACHE_ENABLED=false). */
  env?: Record<string, string>;
  /** An API key sent on every request (`Authorization: Bearer <key>`). */
  apiKey?: string;
  /** Where to keep the .cpuprofile (default: bench/profiles/). */
  keepIn?: string;
}

export interface ProfileRun {
  load: WrkResult;
  summary: ProfileSummary;
  file: string;
}

export async function profileBeacon(options: ProfileOptions): Promise<ProfileRun> {
  const work = path.join(os.tmpdir(), `beacon-prof-${options.namespace}`);
  mkdirSync(work, { recursive: true });
  const keepIn = options.keepIn ?? path.join(ROOT, 'bench', 'profiles');
  mkdirSync(keepIn, { recursive: true });
  try {
    const server = await startServer({
      name: 'beacon (profiled)',
      script: 'src/main.ts',
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        CACHE_NAMESPACE: options.namespace,
        ...BEACON_BENCH_ENV,
        ...(options.scenario === 'b' ? { CACHE_L1_MAX_BYTES: '0' } : {}),
        ...options.env,
      },
      pinning: options.pinning,
      // No --cpu-prof-name: tsx's module hooks run on a loader thread, which writes a profile too, under the same name.
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${work}`, '--cpu-prof-interval', '100'],
    });
    let load: WrkResult;
    let loadEnded: number;
    try {
      if (options.env?.CACHE_ENABLED !== 'false') await cacheSettled(server.url);
      let script: 'hot.lua' | 'miss.lua';
      let args: (offset: number) => string[];
      const authorization = options.apiKey ? `Bearer ${options.apiKey}` : undefined;
      const headerArgs = authorization ? [`Authorization: ${authorization}`] : [];
      if (options.scenario === 'c') {
        const file = path.join(work, 'template.txt');
        writeFileSync(file, `${templateParts().join('\n')}\n`);
        script = 'miss.lua';
        args = (offset) => [file, String(offset), ...headerArgs];
      } else {
        const bodies = hotBodies();
        const headers: Record<string, string> = authorization ? { authorization } : {};
        await forEachLimit(bodies, 8, async (body) => void (await postOk(server.url, body, headers)));
        const file = path.join(work, 'hot.txt');
        writeFileSync(file, `${bodies.join('\n')}\n`);
        script = 'hot.lua';
        args = () => [file, ...headerArgs];
      }
      // JIT warm-up, then the profiled window.
      const common = { url: server.url, script, connections: options.connections, pinning: options.pinning };
      await runWrk({ ...common, args: args(200_000), seconds: 2 });
      load = await runWrk({ ...common, args: args(0), seconds: options.seconds });
      loadEnded = performance.now();
    } finally {
      await server.stop();
    }
    const gapUs = (performance.now() - loadEnded) * 1000;
    // Node names profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is thread 0.
    const written = readdirSync(work).find((file) => file.endsWith('.cpuprofile') && file.includes(`.${server.pid}.0.`));
    if (!written) throw new Error(`no profile of the main thread was written to ${work}`);
    const file = path.join(keepIn, `beacon-${options.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    renameSync(path.join(work, written), file);
    // The process exited within `gapUs` of the end of the load, which ran `seconds` before that.
    return { load, summary: summarize(file, { durationUs: options.seconds * 1e6, fromEndUs: gapUs }), file };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
