// The fast lane (src/http/fast-lane.ts): repeated POST queries answered from the cache before Fastify. It must be
// invisible: the same status, headers and bytes as the full path, the same counters, the same rate limit, and never
// an answer the full path would not give (other bytes, a body the strict parser refuses, a write not yet seen).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const database = databaseChoices(postgresUp)[0]!;
const PANEL = 'query Panel($id: ID!) { dataset(id: $id) { id name description rowCount columns { name type } } }';

interface RawReply {
  status: number;
  /** Header names and values in the order sent. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** One POST over node:http, body as given (bytes included), headers as given: nothing added but Content-Length. */
function post(url: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<RawReply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const pairs: Array<[string, string]> = [];
          for (let k = 0; k < response.rawHeaders.length; k += 2) pairs.push([response.rawHeaders[k]!.toLowerCase(), response.rawHeaders[k + 1]!]);
          resolve({ status: response.statusCode!, headers: pairs, body: Buffer.concat(chunks) });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const header = (reply: RawReply, name: string) => reply.headers.find(([key]) => key === name)?.[1];
/** Headers that differ between any two responses whatever path they took. */
const VARYING = new Set(['date', 'x-request-id']);
const stable = (reply: RawReply) => reply.headers.filter(([name]) => !VARYING.has(name));
const panel = (id: number, extra: Record<string, unknown> = {}) => JSON.stringify({ query: PANEL, variables: { id: String(id) }, ...extra });

describe(`fast lane (${database})`, () => {
  let fast: TestApp;
  let full: TestApp;
  beforeAll(async () => {
    fast = await startTestApp({ database });
    // The same data, every request through Fastify: the reference the fast lane must match.
    full = await startTestApp({ database, ...(fast.databaseUrl ? { databaseUrl: fast.databaseUrl } : {}), env: { CACHE_FAST_LANE: 'off' } });
  });
  afterAll(async () => {
    await full?.close();
    await fast?.close();
  });

  /** How many requests reached the full path's response cache (the fast lane answers without it). */
  const fullPathCalls = async (t: TestApp, work: () => Promise<unknown>) => {
    const spy = vi.spyOn(t.app.cache.responseCache!, 'respond');
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };

  it('answers a repeat without the full path, with the same status, headers and bytes as the full path', async () => {
    const body = panel(3);
    const replies: Record<'fast' | 'full', RawReply[]> = { fast: [], full: [] };
    for (const [name, t] of [['fast', fast], ['full', full]] as const) {
      replies[name].push(await post(t.url, body));
      const calls = await fullPathCalls(t, async () => replies[name].push(await post(t.url, body)));
      expect(calls).toBe(name === 'fast' ? 0 : 1);
    }
    const [fastMiss, fastHit] = replies.fast;
    const [, fullHit] = replies.full;
    expect(header(fastMiss!, 'x-beacon-cache')).toBe('MISS');
    expect(header(fastHit!, 'x-beacon-cache')).toBe('HIT-L1');
    expect(fastHit!.status).toBe(fullHit!.status);
    expect(fastHit!.body.equals(fullHit!.body)).toBe(true);
    expect(fastHit!.body.equals(fastMiss!.body)).toBe(true);
    expect(stable(fastHit!)).toEqual(stable(fullHit!));
    expect(header(fastHit!, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the client’s request id, as the full path does', async () => {
    const body = panel(4);
    await post(fast.url, body);
    const hit = await post(fast.url, body, { 'content-type': 'application/json', 'x-request-id': 'dashboard-7' });
    expect(header(hit, 'x-beacon-cache')).toBe('HIT-L1');
    expect(header(hit, 'x-request-id')).toBe('dashboard-7');
  });

  it('takes the full path for bytes it has not seen, then answers them too', async () => {
    const body = panel(5);
    await post(fast.url, body);
    // The same request in other bytes: keyed by the full path (to the same entry), then remembered.
    const spaced = JSON.stringify({ variables: { id: '5' }, query: PANEL }, null, 1);
    expect(await fullPathCalls(fast, () => post(fast.url, spaced))).toBe(1);
    expect(await fullPathCalls(fast, () => post(fast.url, spaced))).toBe(0);
    const hit = await post(fast.url, spaced);
    expect(header(hit, 'x-beacon-cache')).toBe('HIT-L1');
  });

  it('never answers bytes the strict parser refuses, even when they decode to a cached body', async () => {
    // U+FFFD in a cached body; the same bytes with an invalid byte instead decode (leniently) to the same text.
    const text = panel(6, { operationName: null, extensions: { note: '\uFFFD' } });
    await post(fast.url, text);
    expect(header(await post(fast.url, text), 'x-beacon-cache')).toBe('HIT-L1');
    const valid = Buffer.from(text, 'utf8');
    const at = valid.indexOf(Buffer.from('\uFFFD', 'utf8'));
    const invalid = Buffer.concat([valid.subarray(0, at), Buffer.from([0xff]), valid.subarray(at + 3)]);
    const refused = await post(fast.url, invalid);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body.toString()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('serves the write, not the entry, after a mutation', async () => {
    const body = panel(7);
    await post(fast.url, body);
    expect(header(await post(fast.url, body), 'x-beacon-cache')).toBe('HIT-L1');
    const write = await fast.gql('mutation($id: ID!) { updateDataset(id: $id, input: { description: "Rewritten by the fast lane test." }) { id } }', { id: '7' });
    expect(write.status).toBe(200);
    const after = await post(fast.url, body);
    expect(header(after, 'x-beacon-cache')).toBe('MISS');
    expect(after.body.toString()).toContain('Rewritten by the fast lane test.');
  });

  it('leaves no-cache, debug and other content types to the full path', async () => {
    const body = panel(8);
    await post(fast.url, body);
    await post(fast.url, body);
    const variants: Array<Record<string, string>> = [
      { 'content-type': 'application/json', 'cache-control': 'no-cache' },
      { 'content-type': 'application/json', 'x-beacon-cache-debug': '1' },
      { 'content-type': 'Application/JSON' },
    ];
    for (const headers of variants) {
      expect(await fullPathCalls(fast, () => post(fast.url, body, headers))).toBe(1);
    }
    const bypass = await post(fast.url, body, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
    expect(header(bypass, 'x-beacon-cache')).toBe('BYPASS');
  });

  it('keys by the negotiated content type, as the full path does', async () => {
    const body = panel(9);
    const accept = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    await post(fast.url, body);
    const other = await post(fast.url, body, accept);
    expect(header(other, 'x-beacon-cache')).toBe('MISS');
    const hit = await post(fast.url, body, accept);
    expect(header(hit, 'x-beacon-cache')).toBe('HIT-L1');
    expect(header(hit, 'content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('counts its hits in cacheStats like any other', async () => {
    const body = JSON.stringify({ query: PANEL.replace('query Panel', 'query Counted'), variables: { id: '10' } });
    await post(fast.url, body);
    await post(fast.url, body);
    await post(fast.url, body);
    const stats = await fast.gql('{ cacheStats { operations { name hits misses } } }');
    expect(stats.body.data.cacheStats.operations.find((row: { name: string }) => row.name === 'Counted')).toMatchObject({ hits: 2, misses: 1 });
  });
});

describe(`fast lane under a rate limit (${database})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database, env: { RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '2', CORS_ORIGINS: 'http://dashboard.test' } });
  });
  afterAll(() => t?.close());

  it('counts a hit against the client’s budget and refuses it when the budget is spent', async () => {
    const body = panel(11);
    const miss = await post(t.url, body);
    const hit = await post(t.url, body);
    const refused = await post(t.url, body);
    expect([miss.status, hit.status, refused.status]).toEqual([200, 200, 429]);
    expect(header(hit, 'x-beacon-cache')).toBe('HIT-L1');
    expect(header(hit, 'ratelimit-limit')).toBe('2');
    expect(header(hit, 'ratelimit-remaining')).toBe('0');
    expect(JSON.parse(refused.body.toString()).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('lets an allowed page read its 429: the refusal carries the CORS headers too', async () => {
    const headers = { 'content-type': 'application/json', origin: 'http://dashboard.test' };
    let refused: RawReply | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      const reply = await post(t.url, panel(12), headers);
      expect(header(reply, 'access-control-allow-origin')).toBe('http://dashboard.test');
      if (reply.status === 429) refused = reply;
    }
    expect(refused).toBeDefined();
    expect(header(refused!, 'access-control-expose-headers')).toMatch(/retry-after/);
  });
});

describe(`fast lane with CORS (${database})`, () => {
  const DASHBOARD = 'http://dashboard.test:3000';
  let fast: TestApp;
  let full: TestApp;
  beforeAll(async () => {
    const env = { CORS_ORIGINS: `${DASHBOARD},https://other.test` };
    fast = await startTestApp({ database, env });
    full = await startTestApp({ database, ...(fast.databaseUrl ? { databaseUrl: fast.databaseUrl } : {}), env: { ...env, CACHE_FAST_LANE: 'off' } });
  });
  afterAll(async () => {
    await full?.close();
    await fast?.close();
  });

  const cases: Array<[string, Record<string, string>]> = [
    ['an allowed origin', { origin: DASHBOARD }],
    ['an origin not on the list', { origin: 'https://evil.test' }],
    ['no origin', {}],
  ];

  it.each(cases)('answers a hit for %s with the full path’s CORS headers, on the fast lane', async (_name, extra) => {
    const body = panel(20 + cases.findIndex(([, headers]) => headers === extra));
    const headers = { 'content-type': 'application/json', ...extra };
    const replies: Record<'fast' | 'full', RawReply> = {} as never;
    for (const [name, t] of [['fast', fast], ['full', full]] as const) {
      await post(t.url, body, headers);
      let hit!: RawReply;
      const spy = vi.spyOn(t.app.cache.responseCache!, 'respond');
      try {
        hit = await post(t.url, body, headers);
        // The fast lane answered the allowed origin's hit itself: CORS does not push it onto the full path.
        expect(spy.mock.calls.length).toBe(name === 'fast' ? 0 : 1);
      } finally {
        spy.mockRestore();
      }
      expect(header(hit, 'x-beacon-cache')).toBe('HIT-L1');
      replies[name] = hit;
    }
    expect(stable(replies.fast)).toEqual(stable(replies.full));
    expect(replies.fast.body.equals(replies.full.body)).toBe(true);
    const allowed = extra.origin === DASHBOARD;
    expect(header(replies.fast, 'access-control-allow-origin')).toBe(allowed ? DASHBOARD : undefined);
    expect(header(replies.fast, 'access-control-expose-headers')?.split(', ')).toEqual(allowed ? expect.arrayContaining(['x-beacon-cache', 'etag', 'age']) : undefined);
    expect(header(replies.fast, 'vary')).toMatch(/Origin/);
  });
});
