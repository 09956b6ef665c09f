// The promise of issue 9 under load and faults, short version (`npm run chaos` runs the long one): two instances on
// one PostgreSQL (through a proxy the test can cut) and one private Redis (which the test kills, restarts without
// persistence, flushes, and deletes keys from), with background readers on both. No read that starts after a
// write's response may show the old data, on either instance; Redis faults never fail a request; a database outage
// is answered from stale-if-error entries. Staleness is judged by causality (test/helpers/chaos.ts): a read that
// started after a write was acknowledged must show it. Figures are printed; only counts are asserted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChaosCluster,
  describeFailures,
  describeStale,
  formatTable,
  LoadGenerator,
  Phases,
  RaceWorkload,
  redisKillUnderLoad,
  summarize,
  WRITE_KINDS,
  type Instances,
  type Sample,
} from '../helpers/chaos.js';
import { postgresUp, redisUp } from '../helpers/services.js';

const ROUNDS = Number(process.env.CHAOS_TEST_ROUNDS ?? 200);
/** The race stops early past this, on a very loaded machine: the judge is causal, so fewer rounds prove less, never wrongly. */
const RACE_MAX_MS = 35_000;
/** Background reads per second over both instances (at most: readers wait for their answers); modest, the machine is shared. */
const RATE = 100;
const READERS = 8;
/** Writes (two of each kind) in the FLUSHALL and eviction tests. */
const FAULT_ROUNDS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The first stale reads and the failures by error, for the log. */
const report = (samples: Sample[]) => [...describeStale(samples, 5), JSON.stringify(describeFailures(samples))].join('\n');
const staleOf = (samples: Sample[]) => samples.filter((s) => (s.stale?.length ?? 0) > 0);

describe.runIf(postgresUp && redisUp)('issue 9: two instances under load and faults (postgres, private redis)', () => {
  let cluster: ChaosCluster;
  /** The pair of the running test: each test starts its own (a fault's aftermath must not blur the next test). */
  let pair: Instances;
  let workload: RaceWorkload;

  beforeAll(async () => {
    cluster = await ChaosCluster.start({ label: 'chaos-test' });
    pair = await cluster.startInstances();
    workload = await RaceWorkload.prepare(cluster, pair);
    await workload.baseline();
  });
  afterAll(async () => {
    await cluster?.close();
  });
  let fresh = true;
  beforeEach(async (context) => {
    // The first test uses the pair started in beforeAll; the Redis ones a fresh pair each (the database test
    // starts a pair with settings of its own).
    if (fresh || context.task.name.startsWith('PostgreSQL')) {
      fresh = false;
      return;
    }
    await cluster.stopInstances(pair);
    pair = await cluster.startInstances();
    workload.use(pair);
  });

  /** Background load on both instances, bounded, over the watched reads and the README's queries. */
  const load = (durationMs: number) =>
    new LoadGenerator(pair.apps, () => workload.backgroundReads(), { rate: RATE, readers: READERS, durationMs, maxRequests: (RATE * durationMs) / 1000 }).start();

  /** Runs `body` under background load; the load stops when it ends, also when it throws. */
  async function underLoad(durationMs: number, body: () => Promise<void>): Promise<Sample[]> {
    const background = load(durationMs);
    try {
      await body();
    } finally {
      await background.stop();
    }
    return background.samples;
  }


  it(`shows no read that starts after a write's response the old data, on either instance, under background load (${ROUNDS} rounds)`, async () => {
    const from = workload.samples.length;
    const began = performance.now();
    let rounds = 0;
    const background = await underLoad(RACE_MAX_MS, async () => {
      rounds = await workload.runRounds(ROUNDS, () => performance.now() - began > RACE_MAX_MS);
    });
    const samples = workload.judged(from, background);
    const [summary] = summarize(samples);
    console.info(`${formatTable(`race, ${rounds} rounds in ${((performance.now() - began) / 1000).toFixed(1)} s (${workload.writes} writes acked)`, [summary!])}\n${report(samples)}`);

    expect(describeFailures(samples)).toEqual({});
    expect(workload.writeFailures).toEqual([]);
    expect(describeStale(samples.filter((s) => s.kind === 'post-write'), 20)).toEqual([]);
    expect(describeStale(samples.filter((s) => s.kind === 'background'), 20)).toEqual([]);
    // The judge had work to do: every post-write read and many background reads came after a write they must show.
    expect(summary!.postWrite).toBeGreaterThanOrEqual(rounds * 4);
    expect(samples.filter((s) => s.kind === 'background' && s.judged).length).toBeGreaterThan(rounds);
  }, RACE_MAX_MS + 30_000);

  it('Redis killed and restarted without persistence under load: no failed request, no stale read of a write acknowledged while Redis was up', async () => {
    const { samples, phases } = await redisKillUnderLoad(cluster, pair, workload, { beforeMs: 2_000, downMs: 3_000, laterMs: 1_000 }, (body) =>
      underLoad(60_000, body),
    );
    console.info(`${formatTable('Redis killed 3 s, restarted empty', summarize(samples, phases))}\n${report(samples)}`);

    expect(describeFailures(samples)).toEqual({});
    // A write acked while Redis was down may leave a bounded window on the other instance (documented, not judged
    // here); every other write must be honoured, before the kill and after the restart (the clock was lost).
    const mustHonour = staleOf(samples).filter((s) => phases.of(s.missedAck!) !== 'Redis down');
    expect(describeStale(mustHonour, 20)).toEqual([]);
    expect(samples.filter((s) => s.judged && phases.of(s.start) === '5 s after restart').length).toBeGreaterThan(0);
  });

  it('Redis FLUSHALL between a cached read and a write: no stale read afterwards, no failed request', async () => {
    const from = workload.samples.length;
    const background = await underLoad(60_000, async () => {
      for (let i = 0; i < FAULT_ROUNDS; i += 1) {
        const kind = WRITE_KINDS[i % WRITE_KINDS.length]!;
        await workload.cacheOnBoth(kind);
        await cluster.flushAll();
        expect(await workload.write(kind, i % 2)).toBe(true);
      }
    });
    const samples = workload.judged(from, background);
    console.info(`${formatTable(`FLUSHALL between a cached read and a write, ${FAULT_ROUNDS} times`, summarize(samples))}\n${report(samples)}`);
    expect(describeFailures(samples)).toEqual({});
    expect(describeStale(samples, 20)).toEqual([]);
  });

  it('the clock or a tag version evicted (deleted) around a write: no stale read afterwards, no failed request', async () => {
    const from = workload.samples.length;
    const background = await underLoad(60_000, async () => {
      for (let i = 0; i < FAULT_ROUNDS; i += 1) {
        const kind = WRITE_KINDS[i % WRITE_KINDS.length]!;
        await workload.cacheOnBoth(kind);
        if (i % 2 === 0) {
          // The clock lost, then a write: its version must not fall below the stamps of entries cached before.
          await cluster.deleteKeys([pair.clockKey]);
          expect(await workload.write(kind, i % 2)).toBe(true);
        } else {
          // A write, then its tags' versions lost: what it invalidated must stay invalid.
          expect(await workload.write(kind, i % 2)).toBe(true);
          await cluster.deleteKeys(workload.tagsOf(kind).map((tag) => pair.tagVersionKey(tag)));
          await workload.probeBoth(kind);
        }
      }
    });
    const samples = workload.judged(from, background);
    console.info(`${formatTable(`clock / tag versions deleted around a write, ${FAULT_ROUNDS} times`, summarize(samples))}\n${report(samples)}`);
    expect(describeFailures(samples)).toEqual({});
    expect(describeStale(samples, 20)).toEqual([]);
  });

  it('PostgreSQL stopped: every read of a cached query answers STALE or a fresh hit, none fails, and fresh answers return within 5 s', async () => {
    // Entries that expire after 1 s and are kept an hour for stale-if-error; no stale-while-revalidate, so an
    // expired entry is served only as the fallback of a failed recompute.
    const shortLived = await cluster.startInstances({
      CACHE_MAX_TTL_SECONDS: '1',
      CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0',
      CACHE_STALE_IF_ERROR_SECONDS: '3600',
    });
    const specs = workload.backgroundReads();
    for (const app of shortLived.apps) for (const spec of specs) expect((await app.gql(spec.query, spec.variables)).status).toBe(200);
    // Let every entry expire (the TTL is 1 s).
    await sleep(1_100);
    const phases = new Phases();
    let restored = Number.POSITIVE_INFINITY;
    const background = new LoadGenerator(shortLived.apps, () => specs, { rate: RATE, readers: READERS, durationMs: 30_000, maxRequests: RATE * 30 }).start();
    try {
      phases.mark('before');
      await sleep(1_500);
      // Marked once the proxy refuses: a read that started just before may still have reached the database.
      await cluster.stopDatabase();
      phases.mark('database down');
      await sleep(4_000);
    } finally {
      await cluster.restoreDatabase();
      restored = phases.mark('after');
    }
    try {
      await sleep(3_000);
    } finally {
      await background.stop();
      await cluster.stopInstances(shortLived);
    }
    const samples = background.samples;
    console.info(`${formatTable('PostgreSQL stopped 4 s (TTL 1 s, stale-if-error 1 h, no stale-while-revalidate)', summarize(samples, phases))}\n${report(samples)}`);

    const during = samples.filter((s) => phases.of(s.start) === 'database down');
    // A MISS that answered is also fine: some answers need no database once in-process data is loaded (an
    // input-output model's table, kept per model version); what must not happen is a failed read.
    const notStale = during.filter((s) => !s.ok || !['STALE', 'HIT-L1', 'HIT-L2', 'MISS'].includes(s.cache ?? ''));
    expect(notStale.map((s) => `${s.name} on ${s.instance}: ${s.ok ? s.cache : s.error}`).slice(0, 20)).toEqual([]);
    expect(during.filter((s) => s.cache === 'STALE').length).toBeGreaterThan(0);
    // Recovery: each instance answers from the database again (a MISS, not STALE) within 5 s of its return.
    for (const instance of [0, 1]) {
      const fresh = samples.find((s) => s.instance === instance && s.start >= restored && s.ok && s.cache === 'MISS');
      expect(fresh ? fresh.end - restored : Number.POSITIVE_INFINITY).toBeLessThan(5_000);
    }
  }, 120_000);
});
