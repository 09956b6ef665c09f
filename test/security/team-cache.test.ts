// The cache keeps teams apart and still shares: 10,000 random steps of two teams' members (readers, writers) and
// anonymous callers, reading and writing through two instances on one PostgreSQL and one Redis. Not one response may
// hold data of a team the caller is not in; a team's read after its own write sees the write (on either instance);
// and repeated team reads are served from the cache (the hit rate is printed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { Random } from '../../src/db/random.js';
import { type TestApp } from '../helpers/app.js';
import { dropNamespace, startPair, uniqueNamespace } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisMode, redisUp } from '../helpers/services.js';
import { teamMarkers } from './helpers.js';

// The cluster pass proves the same on a Redis Cluster with fewer steps (CI time): the scopes are keys like any other.
const STEPS = redisMode === 'cluster' ? 2_000 : 10_000;
const TEAMS = ['risk', 'growth'] as const;

interface Caller {
  name: string;
  team: string | null;
  writer: boolean;
  headers: Record<string, string>;
}

const READS = {
  list: '{ datasets(first: 50, orderBy: UPDATED_AT_DESC) { totalCount nodes { id name description } } }',
  categories: '{ categories { name datasetCount } }',
  top: '{ topUpdatedDatasets(limit: 6) { id name description } }',
  dataset: 'query($id: ID!) { dataset(id: $id) { id name description modelRuns(first: 5) { nodes { name } } } }',
  run: 'query($id: ID!) { modelRun(id: $id) { name dataset { name description } } }',
  compare: 'query($ids: [ID!]!) { compareModels(ids: $ids) { runs { name } } }',
  ranking: 'query($id: ID!) { modelRanking(datasetId: $id, metric: ACCURACY, top: 3) { entries { run { name } } } }',
};
const UPDATE = 'mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id description } }';

describe.runIf(postgresUp && redisUp)('two teams, two instances, one Redis: randomized', () => {
  const namespace = uniqueNamespace('teams');
  const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
  let a: TestApp;
  let b: TestApp;
  const callers: Caller[] = [{ name: 'anonymous', team: null, writer: false, headers: {} }];
  const datasets: { id: number; team: string | null }[] = [];
  const runs: { id: number; team: string | null }[] = [];

  beforeAll(async () => {
    ({ a, b } = await startPair(env, 10_000));
    const keys = new ApiKeyRepository(a.app.database.db);
    for (const team of TEAMS) {
      for (const role of ['reader', 'reader', 'writer'] as const) {
        const { key } = await keys.create({ role, team });
        callers.push({ name: `${team}-${role}-${callers.length}`, team, writer: role === 'writer', headers: { authorization: `Bearer ${key}` } });
      }
    }
    const db = a.app.database.db;
    const rows = await db.selectFrom('datasets').select(['id', 'team']).where((eb) => eb.or([eb('id', '<=', 3), eb('team', 'is not', null)])).execute();
    datasets.push(...rows);
    const runRows = await db
      .selectFrom('model_runs')
      .innerJoin('datasets', 'datasets.id', 'model_runs.dataset_id')
      .select(['model_runs.id as id', 'datasets.team as team'])
      .where((eb) => eb.or([eb('model_runs.id', '<=', 3), eb('datasets.team', 'is not', null)]))
      .execute();
    runs.push(...runRows);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  it(`serves no team another team's data in ${STEPS.toLocaleString('en')} steps, and team reads hit the cache`, async () => {
    const random = new Random(11);
    const latest = new Map<number, string>();
    /** Keys (scope + request) each instance has answered since the last write: a repeat should be a hit. */
    const seen = [new Set<string>(), new Set<string>()];
    let leaks = 0;
    let teamReads = 0;
    let teamHits = 0;
    let repeatedTeamReads = 0;
    let repeatedTeamHits = 0;
    let writes = 0;
    for (let step = 0; step < STEPS; step += 1) {
      const caller = random.pick(callers);
      const side = random.int(0, 1);
      const app = side === 0 ? a : b;
      if (caller.writer && random.chance(0.1)) {
        // A write to the team's own dataset (private text) or to a public one.
        const own = datasets.filter((d) => d.team === caller.team);
        const target = random.chance(0.7) ? random.pick(own) : random.pick(datasets.filter((d) => d.team === null));
        const description = target.team ? `${target.team}-secret-${step}` : `public note ${step}`;
        const response = await app.gql(UPDATE, { id: target.id, d: description }, caller.headers);
        expect(response.body.errors, response.text).toBeUndefined();
        latest.set(target.id, description);
        writes += 1;
        seen[0]!.clear();
        seen[1]!.clear();
        continue;
      }
      const kind = random.pick(Object.keys(READS) as (keyof typeof READS)[]);
      let variables: Record<string, unknown> | undefined;
      let datasetId: number | undefined;
      if (kind === 'dataset' || kind === 'ranking') variables = { id: (datasetId = random.pick(datasets).id) };
      else if (kind === 'run') variables = { id: random.pick(runs).id };
      else if (kind === 'compare') variables = { ids: ['1', String(random.pick(runs).id)] };
      const response = await app.gql(READS[kind], variables, caller.headers);
      for (const team of TEAMS) {
        if (team !== caller.team && teamMarkers(team).test(response.text)) {
          leaks += 1;
          expect.soft(response.text, `${caller.name} got ${team} data at step ${step}`).not.toMatch(teamMarkers(team));
        }
      }
      // A read after a write sees it, whichever instance took the write.
      const shown = response.body.data?.dataset;
      if (kind === 'dataset' && shown && latest.has(datasetId!)) expect(shown.description, `step ${step}`).toBe(latest.get(datasetId!));
      if (caller.team) {
        const outcome = response.headers.get('x-beacon-cache') ?? '';
        const hit = outcome.startsWith('HIT');
        teamReads += 1;
        if (hit) teamHits += 1;
        const key = `${caller.team}|${kind}|${JSON.stringify(variables ?? {})}`;
        if (seen[side]!.has(key) && !response.body.errors) {
          repeatedTeamReads += 1;
          if (hit) repeatedTeamHits += 1;
        }
        if (!response.body.errors) seen[side]!.add(key);
      }
    }
    const rate = (hits: number, total: number) => `${((100 * hits) / Math.max(1, total)).toFixed(1)}%`;
    console.log(
      `team-cache: ${STEPS} steps, ${writes} writes, ${leaks} leaks; team reads ${teamReads}, hit rate ${rate(teamHits, teamReads)}; ` +
        `repeated team reads (same team, request and instance, no write since) ${repeatedTeamReads}, hit rate ${rate(repeatedTeamHits, repeatedTeamReads)}`,
    );
    expect(leaks).toBe(0);
    expect(writes).toBeGreaterThan(STEPS / 100);
    // Repeats within one instance and no write since are served from its cache (L1, or L2 via the other instance).
    expect(repeatedTeamHits / repeatedTeamReads).toBeGreaterThan(0.9);
  }, 600_000);
});
