import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

describe.each(databaseChoices(postgresUp))('health on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database, seed: 'none' });
  });
  afterAll(() => t?.close());

  it('reports the database reachable through the health query', async () => {
    const res = await t.gql('{ health { ok version uptimeSeconds database { name ok latencyMs error } } }');
    expect(res.status).toBe(200);
    expect(res.body.data.health).toMatchObject({ ok: true, database: { name: 'database', ok: true, error: null } });
  });

  it('answers GET /health with 200 while the database is reachable', async () => {
    const res = await fetch(t.url.replace('/graphql', '/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });
});
