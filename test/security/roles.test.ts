// Writes need a writer: every mutation the schema has (enumerated from the SDL, so a new one cannot be forgotten),
// sent with valid arguments, is refused without credentials (401 UNAUTHENTICATED), with a made-up token (401) and with
// a reader key (403 FORBIDDEN), and the database is exactly what it was. A writer may write; admin mutations need an
// admin. API keys are shown once, stored hashed, and stop working once revoked.
import {
  buildASTSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  validate,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { ROLE_OF_MUTATION } from '../../src/auth/plugin.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { ADMIN_AUTH, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { databaseFingerprint, errorCode, expectNoLeaks, originOf, post, send } from './helpers.js';

const schema = buildASTSchema(loadTypeDefs());

/** A value of an input type that passes validation (and, for ids, names seeded rows: the write would succeed). */
function sampleValue(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return `[${sampleValue(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type));
    return `{ ${fields.map((field) => `${field.name}: ${sampleValue(field.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return '"1"';
      case 'Int':
        return '1';
      case 'Float':
        return '0.5';
      case 'Boolean':
        return 'true';
      case 'JSON':
        return '{ amount: 1 }';
      default:
        return '"x"';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

function mutationOf(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((arg) => isNonNullType(arg.type) || arg.name === 'value');
  const argText = args.length > 0 ? `(${args.map((arg) => `${arg.name}: ${sampleValue(arg.type)}`).join(', ')})` : '';
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `mutation { ${field.name}${argText}${selection} }`;
}

const MUTATIONS = Object.values(schema.getMutationType()!.getFields())
  .filter((field) => field.name !== '_noop')
  .map((field) => ({ name: field.name, query: mutationOf(field) }));

describe.skipIf(!postgresUp)('writes need a writer', () => {
  let t: TestApp;
  let origin: string;
  let reader: string;
  let writer: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres' });
    origin = originOf(t.url);
    const keys = new ApiKeyRepository(t.app.database.db);
    reader = (await keys.create({ role: 'reader', team: 'risk' })).key;
    writer = (await keys.create({ role: 'writer', team: 'risk' })).key;
    admin = (await keys.create({ role: 'admin', team: 'risk' })).key;
  }, 120_000);
  afterAll(() => t?.close());

  it('enumerates every mutation of the schema, each a valid operation', () => {
    expect(MUTATIONS.map((m) => m.name)).toEqual(expect.arrayContaining(['updateDataset', 'deleteModelRun', 'clearCache', 'updateCoefficients']));
    for (const { name, query } of MUTATIONS) expect(validate(schema, parse(query)), name).toEqual([]);
  });

  it('refuses every mutation without credentials, with a made-up token and with a reader key, and writes nothing', async () => {
    const before = await databaseFingerprint(t.databaseUrl!);
    const attempts: { who: string; headers: Record<string, string>; status: number; code: string }[] = [
      { who: 'anonymous', headers: {}, status: 401, code: 'UNAUTHENTICATED' },
      { who: 'a made-up key', headers: { authorization: `Bearer bk_AAAAAAAAAAAAAAAA_${'A'.repeat(43)}` }, status: 401, code: 'UNAUTHENTICATED' },
      { who: 'a malformed token', headers: { authorization: 'Bearer not-a-token' }, status: 401, code: 'UNAUTHENTICATED' },
      { who: 'a reader', headers: { authorization: `Bearer ${reader}` }, status: 403, code: 'FORBIDDEN' },
    ];
    for (const { name, query } of MUTATIONS) {
      for (const attempt of attempts) {
        const response = await send(origin, post(query, undefined, attempt.headers));
        expect(response.status, `${name} as ${attempt.who}: ${response.text}`).toBe(attempt.status);
        expect(errorCode(response), `${name} as ${attempt.who}`).toBe(attempt.code);
        expect(response.json?.data ?? null).toBeNull();
        expectNoLeaks(response);
      }
    }
    expect(await databaseFingerprint(t.databaseUrl!)).toEqual(before);
  });

  it('refuses a writer the admin mutations (403) and an operation mixing them whole', async () => {
    const before = await databaseFingerprint(t.databaseUrl!);
    for (const name of Object.keys(ROLE_OF_MUTATION)) {
      const { query } = MUTATIONS.find((m) => m.name === name)!;
      const response = await send(origin, post(query, undefined, { authorization: `Bearer ${writer}` }));
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('FORBIDDEN');
    }
    const mixed = 'mutation { failTraining(id: "1", error: "x") { id } clearCache(scope: ALL) { invalidated } }';
    const response = await send(origin, post(mixed, undefined, { authorization: `Bearer ${writer}` }));
    expect(response.status).toBe(403);
    expect(await databaseFingerprint(t.databaseUrl!)).toEqual(before);
  });

  it('lets a writer write and an admin key administer', async () => {
    const started = await t.gql(
      'mutation { startTraining(input: { datasetId: "1", name: "job", algorithm: "XGBoost", taskType: CLASSIFICATION }) { id status } }',
      undefined,
      { authorization: `Bearer ${writer}` },
    );
    expect(started.body.errors).toBeUndefined();
    expect(started.body.data.startTraining.status).toBe('PENDING');
    const cleared = await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, { authorization: `Bearer ${admin}` });
    expect(cleared.body.errors).toBeUndefined();
    const bootstrap = await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, ADMIN_AUTH);
    expect(bootstrap.body.errors).toBeUndefined();
  });

  it('stores only a hash of the secret, and refuses a revoked key within the verification TTL', async () => {
    const keys = new ApiKeyRepository(t.app.database.db);
    const { key, info } = await keys.create({ role: 'writer', team: 'growth' });
    const stored = await t.app.database.db.selectFrom('api_keys').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key.slice(20));
    let now = 1_000_000;
    const authenticator = new Authenticator({ adminToken: undefined, keys, jwt: undefined, cacheTtlMs: 30_000, now: () => now });
    const authorization = `Bearer ${key}`;
    expect(await authenticator.authenticate(authorization)).toMatchObject({ role: 'writer', team: 'growth' });
    expect(await keys.revoke(info.id)).toBe(true);
    now += 29_999;
    // Still trusted from the cache: the documented bound.
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    now += 2;
    expect(authenticator.peek(authorization)).toBeUndefined();
    expect(await authenticator.authenticate(authorization)).toBe('invalid');
  });

  it('verifies a key in use again in the background after half its TTL, one lookup however many requests wait', async () => {
    const keys = new ApiKeyRepository(t.app.database.db);
    const { key, info } = await keys.create({ role: 'writer', team: 'growth' });
    let lookups = 0;
    let lastLookup: Promise<unknown> = Promise.resolve();
    const counting = {
      verify(token: string) {
        lookups += 1;
        lastLookup = keys.verify(token);
        return lastLookup;
      },
    } as ApiKeyRepository;
    let now = 1_000_000;
    const authenticator = new Authenticator({ adminToken: undefined, keys: counting, jwt: undefined, cacheTtlMs: 30_000, now: () => now });
    const authorization = `Bearer ${key}`;
    const settled = async () => {
      await lastLookup;
      await new Promise((resolve) => setImmediate(resolve));
    };

    // 20 requests at once with a key not yet known: one lookup.
    const first = await Promise.all(Array.from({ length: 20 }, () => authenticator.authenticate(authorization)));
    expect(first.every((principal) => principal !== 'invalid' && principal.role === 'writer')).toBe(true);
    expect(lookups).toBe(1);

    now += 14_000;
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    expect(lookups).toBe(1);
    // Past half the TTL: still answered at once, from the cache, while one lookup runs in the background.
    now += 2_000;
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    expect(lookups).toBe(2);
    await settled();
    // The first verification's TTL has passed; the refreshed one holds, so the fast lane never had to let go.
    now += 15_000;
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    await settled();
    expect(lookups).toBe(3);

    // Revoked with no message heard: the next refresh (half a TTL on) sees it, before the TTL would have.
    expect(await keys.revoke(info.id)).toBe(true);
    now += 15_001;
    expect(authenticator.peek(authorization)).toMatchObject({ role: 'writer' });
    await settled();
    expect(lookups).toBe(4);
    expect(authenticator.peek(authorization)).toBe('invalid');
  });

  it('does not let a request after a revocation share a lookup that started before it', async () => {
    const keys = new ApiKeyRepository(t.app.database.db);
    const { key, info } = await keys.create({ role: 'writer', team: 'growth' });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstRead: () => void = () => {};
    const read = new Promise<void>((resolve) => (firstRead = resolve));
    let lookups = 0;
    const slow = {
      async verify(token: string) {
        const lookup = ++lookups;
        // The first lookup reads the key, then stalls: the revocation lands while it is under way.
        const principal = await keys.verify(token);
        if (lookup === 1) {
          firstRead();
          await gate;
        }
        return principal;
      },
    } as ApiKeyRepository;
    const authenticator = new Authenticator({ adminToken: undefined, keys: slow, jwt: undefined, cacheTtlMs: 30_000 });
    const authorization = `Bearer ${key}`;
    const before = authenticator.authenticate(authorization);
    await read;
    expect(await keys.revoke(info.id)).toBe(true);
    authenticator.forgetKey(info.id);
    const after = authenticator.authenticate(authorization);
    release();
    // The one that read the key before the revocation saw it valid; the one after must not, and its answer is what is
    // remembered.
    expect(await before).not.toBe('invalid');
    expect(await after).toBe('invalid');
    expect(lookups).toBe(2);
    expect(authenticator.peek(authorization)).toBe('invalid');
  });
});

// Production: what only admins may do (introspection, the GraphiQL page, cacheStats, performance, the cache explain),
// for every kind of admin credential and refused to smaller roles; and ANONYMOUS_READS=false closes reads to
// anonymous callers.
describe.skipIf(!postgresUp)('production: admins only, and no anonymous reads', () => {
  let t: TestApp;
  let origin: string;
  const as: Record<string, Record<string, string>> = { anonymous: {}, 'the admin token': ADMIN_AUTH };

  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres', env: { NODE_ENV: 'production', ANONYMOUS_READS: 'false' } });
    origin = originOf(t.url);
    const keys = new ApiKeyRepository(t.app.database.db);
    for (const role of ['reader', 'writer', 'admin'] as const) as[`${role} key`] = { authorization: `Bearer ${(await keys.create({ role, team: 'risk' })).key}` };
  }, 120_000);
  afterAll(() => t?.close());

  it('refuses anonymous reads with 401, and serves any valid credential', async () => {
    const read = post('{ datasets(first: 1) { totalCount } }');
    const anonymous = await send(origin, read);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    for (const who of ['reader key', 'writer key', 'admin key', 'the admin token']) {
      const response = await send(origin, post('{ datasets(first: 1) { totalCount } }', undefined, as[who]));
      expect(response.status, `${who}: ${response.text}`).toBe(200);
    }
  });

  it('lets admins (the admin token, admin keys) introspect and read cacheStats, performance and the explain; refuses others', async () => {
    const operations = ['{ __schema { queryType { name } } }', '{ __type(name: "Dataset") { name } }', '{ cacheStats { backend } }', '{ performance { total { count } } }'];
    const expected: Record<string, [number, string | undefined]> = {
      anonymous: [401, 'UNAUTHENTICATED'],
      'reader key': [403, 'FORBIDDEN'],
      'writer key': [403, 'FORBIDDEN'],
      'admin key': [200, undefined],
      'the admin token': [200, undefined],
    };
    for (const [who, [status, code]] of Object.entries(expected)) {
      for (const query of operations) {
        const response = await send(origin, post(query, undefined, { ...as[who], accept: 'application/graphql-response+json' }));
        expect(response.status, `${query} as ${who}: ${response.text}`).toBe(status);
        expect(errorCode(response), `${query} as ${who}`).toBe(code);
        expectNoLeaks(response);
      }
      if (who === 'anonymous') continue;
      const explained = await send(origin, post('{ health { version } }', undefined, { ...as[who], 'x-beacon-cache-debug': '1' }));
      expect(explained.status).toBe(200);
      expect(explained.json.extensions?.cache?.key !== undefined, `the explain for ${who}`).toBe(status === 200);
      const page = await send(origin, { method: 'GET', headers: { accept: 'text/html', ...as[who] } });
      expect(/text\/html/.test(page.headers.get('content-type') ?? ''), `the GraphiQL page for ${who}`).toBe(status === 200);
    }
  });
});
