// POST /admin/import/io: the import done by the running server (what `npm run import:io` uses beside a server on the
// embedded database). Only a writer may import (a writer or admin key, or the admin token); a bad table or option is refused with its problem and writes nothing;
// a good one is served at once, its cached model list invalidated as after a mutation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_PATH } from '../../src/http/import-endpoint.js';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const ADMIN_TOKEN = 'import-endpoint-admin-token';
// For X_a (countries X, Y; sectors a, b) the output multiplier is 68/45 (see assessments-import.test.ts).
const TABLE = [',Y_a,X_a,X_b,Y_b', 'Y_a,0,0.1,0,0.5', 'X_a,0,0.1,0,0', 'X_b,0,0.2,0,0', 'Y_b,0,0,0.2,0'].join('\n');

describe.each(databaseChoices(postgresUp))('POST /admin/import/io (%s)', (database) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ database, env: { ADMIN_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const upload = (query: string, body: string, headers: Record<string, string> = {}) =>
    fetch(new URL(`${IMPORT_PATH}?${query}`, t.url), {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      body,
    });
  const models = async () => ((await t.gql('{ ioModels { name } }')).body.data.ioModels as { name: string }[]).map((m) => m.name);

  it('refuses a request without valid credentials (401) or with a reader key (403), writing nothing', async () => {
    const anonymous = await upload('model=NOPE', TABLE, { authorization: '' });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await upload('model=NOPE', TABLE, { authorization: 'Bearer not-the-admin-token' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const { key } = await new ApiKeyRepository(t.app.database.db).create({ role: 'reader', team: 'risk' });
    const reader = await upload('model=NOPE', TABLE, { authorization: `Bearer ${key}` });
    expect(reader.status).toBe(403);
    expect((await reader.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await models()).not.toContain('NOPE');
  });

  it('lets a writer key import (an import is a write)', async () => {
    const { key } = await new ApiKeyRepository(t.app.database.db).create({ role: 'writer', team: 'risk' });
    const response = await upload('model=BY_WRITER&filename=table.csv', TABLE, { authorization: `Bearer ${key}` });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await models()).toContain('BY_WRITER');
  });

  it('refuses a bad table with every problem named (400), and an unknown option, writing nothing', async () => {
    const bad = await upload('model=BAD&filename=bad.csv', TABLE.replace('X_b,0,0.2,0,0', 'X_b,0,0.2,0,0.95'));
    expect(bad.status).toBe(400);
    const { errors } = await bad.json();
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toContain('bad.csv was not imported');
    expect(errors[0].message).toMatch(/column 5\b/);
    expect(errors[0].message).not.toMatch(/beacon-import-|\/tmp\//);
    const unknown = await upload('model=BAD&colour=blue', TABLE);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].message).toContain('colour');
    const json = await upload('model=BAD', '{}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(await models()).not.toContain('BAD');
  });

  it('imports a good table: the very next read serves it, the cached model list included', async () => {
    const before = await models();
    expect(await models()).toEqual(before); // now cached
    const response = await upload('model=UPLOADED&description=Uploaded%20by%20a%20test&filename=table.csv', TABLE);
    expect(response.status).toBe(200);
    expect((await response.json()).output).toMatch(/^created model UPLOADED: 2 countries x 2 sectors .* through the server in \d+ ms$/);
    expect(await models()).toEqual([...before, 'UPLOADED'].sort());
    const { body } = await t.gql('{ ioModel(name: "UPLOADED") { description } assessment(model: "UPLOADED", country: "X", sector: "a") { outputMultiplier } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.ioModel.description).toBe('Uploaded by a test');
    expect(body.data.assessment.outputMultiplier).toBeCloseTo(68 / 45, 12);
  });
});
