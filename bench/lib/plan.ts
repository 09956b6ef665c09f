// How long and how often: the full run (npm run bench, under 10 minutes) or the smoke run (BENCH_QUICK=1, about a
// minute). BENCH_SCENARIOS=a,c runs a subset; BENCH_SECONDS / BENCH_ROUNDS override the measured duration and rounds.
export type ScenarioId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'm';

export interface Plan {
  quick: boolean;
  /** Rounds; the variant order is rotated by one each round. */
  rounds: number;
  /** Seconds of each measured wrk run. */
  seconds: number;
  /** Seconds of the unmeasured wrk run per variant before the first round (JIT, pools, sockets). */
  warmupSeconds: number;
  /** Connections for the throughput scenarios (the p99 target is at 50). */
  connections: number;
  /** Connections for the cold page (f): each request takes tens of ms, 50 would only queue. */
  coldPageConnections: number;
  /** Cold assessments per variant per round (scenario e), each a country-sector never asked before. */
  coldAssessments: number;
  /** Distinct cached assessments rotated by the single-connection run of scenario e. */
  cachedAssessments: number;
  /** Keys for the memory check (bench/memory.ts). */
  memoryKeys: number;
  /** Seconds of the profiled run of scenario a that ends the full run (0: none). BENCH_PROFILE=off skips it. */
  profileSeconds: number;
  scenarios: ReadonlySet<ScenarioId>;
}

/** m: the mixed workload on two instances (bench/lib/mixed.ts), with servers of its own. */
export const ALL: ScenarioId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'm'];

export function readPlan(env: NodeJS.ProcessEnv = process.env): Plan {
  const quick = env.BENCH_QUICK === '1';
  const number = (name: string, fallback: number, min = 1) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be a whole number from ${min}, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const scenarios = (env.BENCH_SCENARIOS ?? ALL.join(','))
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  for (const id of scenarios) {
    if (!ALL.includes(id as ScenarioId)) throw new Error(`BENCH_SCENARIOS takes a comma-separated subset of ${ALL.join(',')}, got ${JSON.stringify(id)}`);
  }
  return {
    quick,
    // wrk counts whole seconds.
    rounds: number('BENCH_ROUNDS', quick ? 1 : 3),
    seconds: number('BENCH_SECONDS', quick ? 1 : 5),
    warmupSeconds: number('BENCH_WARMUP_SECONDS', quick ? 1 : 2, 0),
    connections: 50,
    coldPageConnections: 10,
    coldAssessments: quick ? 4 : 15,
    cachedAssessments: 10,
    memoryKeys: quick ? 50_000 : 1_000_000,
    profileSeconds: env.BENCH_PROFILE === 'off' || (quick && env.BENCH_PROFILE !== 'on') ? 0 : 5,
    scenarios: new Set(scenarios as ScenarioId[]),
  };
}
