// A key revoked with `npm run keys -- revoke` stops working on every instance at once, not after the verification
// cache's TTL: two instances on one PostgreSQL and one Redis, both having verified (and cached) a writer key, with a
// TTL of an hour so that only the published revocation can explain a refusal. The CLI revokes; the next request with
// the key on either instance is refused 401 and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { runKeys, type KeysIo } from '../../src/cli/keys.js';
import { type TestApp } from '../helpers/app.js';
import { dropNamespace, startPair, uniqueNamespace } from '../helpers/cache.js';
import { postgresUp, REDIS_URL, redisUp } from '../helpers/services.js';
import { databaseFingerprint, errorCode, originOf, post, send } from './helpers.js';

const FAIL = 'mutation { failTraining(id: "1", error: "revoked?") { id status } }';
const READ = '{ datasets(first: 1) { totalCount } }';

describe.runIf(postgresUp && redisUp)('key revocation reaches every instance', () => {
  const namespace = uniqueNamespace('revoke');
  const env = { REDIS_URL, CACHE_NAMESPACE: namespace, AUTH_CACHE_TTL_SECONDS: '3600' };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    ({ a, b } = await startPair(env, 10_000));
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  const cli = async (argv: string[]) => {
    const out: string[] = [];
    const io: KeysIo = { out: (text) => out.push(text), err: (text) => out.push(text) };
    const code = await runKeys(argv, { DATABASE_URL: a.databaseUrl, ...env, LOG_LEVEL: 'silent' }, io);
    return { code, text: out.join('') };
  };

  it('refuses the key on both instances on the next request after the CLI revokes it', async () => {
    const created = await cli(['create', '--role', 'writer', '--team', 'risk', '--name', 'revocation test']);
    expect(created.code, created.text).toBe(0);
    const key = created.text.trim().split('\n').find((line) => line.startsWith('bk_'))!;
    const headers = { authorization: `Bearer ${key}` };
    // Verified and remembered by both instances (a read, and a write that takes the full path).
    for (const app of [a, b]) {
      for (const query of [READ, READ]) expect((await send(originOf(app.url), post(query, undefined, headers))).status).toBe(200);
    }
    expect(a.app.http.server.listening && b.app.http.server.listening).toBe(true);

    const id = (await new ApiKeyRepository(a.app.database.db).list()).find((info) => info.name === 'revocation test')!.id;
    const revoked = await cli(['revoke', id]);
    expect(revoked.code, revoked.text).toBe(0);
    expect(revoked.text).toMatch(/refuse it now/);
    const before = await databaseFingerprint(a.databaseUrl!);

    for (const app of [b, a]) {
      const read = await send(originOf(app.url), post(READ, undefined, headers));
      expect(read.status, read.text).toBe(401);
      expect(errorCode(read)).toBe('UNAUTHENTICATED');
      const write = await send(originOf(app.url), post(FAIL, undefined, headers));
      expect(write.status, write.text).toBe(401);
    }
    expect(await databaseFingerprint(a.databaseUrl!)).toEqual(before);
  });

  it('still honours other keys (a revocation forgets only its key)', async () => {
    const { key } = await new ApiKeyRepository(a.app.database.db).create({ role: 'reader', team: 'growth' });
    const other = await new ApiKeyRepository(a.app.database.db).create({ role: 'reader', team: 'growth' });
    for (const app of [a, b]) expect((await send(originOf(app.url), post(READ, undefined, { authorization: `Bearer ${key}` }))).status).toBe(200);
    expect((await cli(['revoke', other.info.id])).code).toBe(0);
    for (const app of [a, b]) expect((await send(originOf(app.url), post(READ, undefined, { authorization: `Bearer ${key}` }))).status).toBe(200);
    for (const app of [a, b]) expect((await send(originOf(app.url), post(READ, undefined, { authorization: `Bearer ${other.key}` }))).status).toBe(401);
  });
});
