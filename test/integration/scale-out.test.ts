// The topology of docker-compose.yml on loopback: two instances on one PostgreSQL and one Redis behind a round-robin
// proxy (nginx there). Consecutive requests alternate between the instances, so each write goes through one and the
// read that follows it through the other: every read returns the write before it, and a persisted query registered
// through one instance is answered by the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APQ_HASH, APQ_QUERY } from '../helpers/apq.js';
import { ADMIN_AUTH, postGraphql, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { postgresUp, REDIS_ENV, redisUp } from '../helpers/services.js';

describe.runIf(postgresUp && redisUp)('two instances behind a round-robin load balancer (postgres, redis)', () => {
  const namespace = uniqueNamespace('scale-out');
  const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
  let a: TestApp;
  let b: TestApp;
  let proxy: RoundRobinProxy;
  let graphql: string;

  beforeAll(async () => {
    a = await startTestApp({ database: 'postgres', env });
    b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env: { ...env, SEED: 'none' } });
    await waitFor(() => a.app.cache.snapshot().redis.subscribed && b.app.cache.snapshot().redis.subscribed, 10_000, 'both subscriptions');
    proxy = await startRoundRobinProxy([new URL(a.url).origin, new URL(b.url).origin]);
    graphql = `${proxy.url}/graphql`;
  });
  afterAll(async () => {
    await proxy?.close();
    await b?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  it('a write through one instance is read through the other, every time', async () => {
    const READ = `query($id: ID!) { dataset(id: $id) { description } }`;
    const WRITE = `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`;
    // Warm both instances' caches with the current value.
    for (let i = 0; i < 4; i++) expect((await postGraphql<any>(graphql, READ, { id: '11' })).status).toBe(200);
    const upstreams = new Set<string | null>();
    for (let round = 0; round < 10; round++) {
      // Every other round, one more read first: the writes then alternate between the instances too.
      if (round % 2 === 1) await postGraphql<any>(graphql, READ, { id: '11' });
      const written = await postGraphql<any>(graphql, WRITE, { id: '11', d: `behind the balancer ${round}` }, ADMIN_AUTH);
      expect(written.body.errors).toBeUndefined();
      const read = await postGraphql<any>(graphql, READ, { id: '11' });
      expect(read.headers.get('x-upstream')).not.toBe(written.headers.get('x-upstream'));
      upstreams.add(read.headers.get('x-upstream'));
      expect(read.body.data.dataset.description).toBe(`behind the balancer ${round}`);
    }
    expect(upstreams.size).toBe(2);
  });

  it('a persisted query registered through one instance is answered through the other', async () => {
    const send = (body: unknown) =>
      fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => ({
        upstream: response.headers.get('x-upstream'),
        body: (await response.json()) as any,
      }));
    const extensions = { persistedQuery: { version: 1, sha256Hash: APQ_HASH } };
    const registered = await send({ query: APQ_QUERY, variables: { id: '12' }, extensions });
    const byHash = await send({ variables: { id: '12' }, extensions });
    expect(byHash.upstream).not.toBe(registered.upstream);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(registered.body.data);
  });
});
