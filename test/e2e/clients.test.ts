// The GraphQL clients frontends and notebooks use, with their default settings, against a running Beacon on real
// PostgreSQL and Redis (docs/clients.md): Apollo Client, urql, graphql-request and fetch run the README's dashboard
// query and a mutation; a Chromium page on another origin calls Beacon with a key and reads the cache headers; and
// graphql-http's GraphQL-over-HTTP audits pass without an error or a warning.
import { ApolloClient, ApolloError, gql as apolloGql, HttpLink, InMemoryCache } from '@apollo/client/core';
import { Client as UrqlClient, cacheExchange, fetchExchange } from '@urql/core';
import { serverAudits } from 'graphql-http';
import { ClientError, GraphQLClient } from 'graphql-request';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { uniqueNamespace } from '../helpers/cache.js';
import { postgresUp, REDIS_URL, redisUp } from '../helpers/services.js';

const ADMIN_TOKEN = 'clients-suite-admin-token-0123456789';
/** What a writer sends with a mutation (ADMIN_TOKEN is also a writer). */
const WRITER = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A ```graphql block of the README, by its first line: the examples users copy are the ones tested. */
function readmeExample(firstLine: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(`\`\`\`graphql\n${firstLine}`);
  if (start === -1) throw new Error(`README has no graphql example starting with ${firstLine}`);
  const body = readme.slice(start + '```graphql\n'.length);
  return body.slice(0, body.indexOf('```'));
}

/** The operations docs/clients.md uses in its examples: one per line of its first graphql block. */
function docsExample(start: string): string {
  const docs = readFileSync('docs/clients.md', 'utf8');
  const block = docs.slice(docs.indexOf('```graphql\n') + '```graphql\n'.length);
  const line = block.slice(0, block.indexOf('```')).split('\n').find((candidate) => candidate.startsWith(start));
  if (!line) throw new Error(`docs/clients.md has no operation starting with ${start}`);
  return line;
}

const DASHBOARD = readmeExample('query Dashboard {');
const RECENT = docsExample('query Recent');
const RENAME = docsExample('mutation Rename');

/** What the server answered each request a client sent: method, status and the cache's outcome. */
interface Seen {
  method: string;
  status: number;
  cache: string | null;
  contentType: string | null;
}

/** A fetch that records what the server answered, handed to each client (all of them accept a fetch). */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    seen.push({
      method: init?.method ?? 'GET',
      status: response.status,
      cache: response.headers.get('x-beacon-cache'),
      contentType: response.headers.get('content-type'),
    });
    return response;
  };
}

/** A tiny page server: the "frontend" on an origin of its own. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html><head><title>dashboard</title></head><body>frontend</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One request over node:http with exactly these headers (fetch may not send Origin as given). */
function raw(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe.skipIf(!postgresUp || !redisUp)('GraphQL clients with their defaults (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let frontend: Awaited<ReturnType<typeof pageServer>>;
  let elsewhere: Awaited<ReturnType<typeof pageServer>>;

  beforeAll(async () => {
    // The frontend's origin must be known before Beacon starts: it goes on the allowlist. `elsewhere` does not.
    [frontend, elsewhere] = await Promise.all([pageServer(), pageServer()]);
    t = await startTestApp({
      database: 'postgres',
      env: {
        ADMIN_TOKEN,
        REDIS_URL,
        CACHE_NAMESPACE: uniqueNamespace('clients'),
        // A generous Redis budget: this file is about clients, and a loaded machine must not turn hits into misses.
        CACHE_REDIS_TIMEOUT_MS: '1000',
        CACHE_WARMUP_FILE: path.resolve('warmup.json'),
        CORS_ORIGINS: frontend.origin,
      },
    });
    // The warm-up started with the server, in the background: wait for it (warm() joins the run under way).
    const warmed = await t.app.cache.warm();
    expect(warmed).toMatchObject({ failed: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([frontend?.close(), elsewhere?.close()]);
  });

  // First, before any test writes (a write invalidates the dashboard's entries): every client's first load.
  describe('the first dashboard load after a start', () => {
    it('is a cache hit from Apollo Client: the warm-up sent its shape (with __typename) for its media type', async () => {
      const seen: Seen[] = [];
      const client = new ApolloClient({ link: new HttpLink({ uri: t.url, fetch: recordingFetch(seen) }), cache: new InMemoryCache() });
      const result = await client.query({ query: apolloGql(DASHBOARD) });
      expect(result.errors).toBeUndefined();
      expect(result.data.datasets.nodes.length).toBeGreaterThan(0);
      // Apollo Client added __typename everywhere, and the entry was there for exactly that document.
      expect(result.data.datasets.__typename).toBe('DatasetConnection');
      expect(seen).toEqual([{ method: 'POST', status: 200, cache: 'HIT-L1', contentType: 'application/json; charset=utf-8' }]);
    });

    it('is a cache hit from urql, over GET without a preflight header', async () => {
      const seen: Seen[] = [];
      const client = new UrqlClient({ url: t.url, exchanges: [cacheExchange, fetchExchange], fetch: recordingFetch(seen) });
      const result = await client.query(DASHBOARD, {}).toPromise();
      expect(result.error).toBeUndefined();
      expect(result.data.datasets.nodes.length).toBeGreaterThan(0);
      expect(seen).toEqual([{ method: 'GET', status: 200, cache: 'HIT-L1', contentType: 'application/graphql-response+json; charset=utf-8' }]);
    });

    it("is a cache hit from graphql-request (POST by default, and with method: 'GET') and from a plain fetch GET", async () => {
      const seen: Seen[] = [];
      const posted = await new GraphQLClient(t.url, { fetch: recordingFetch(seen) }).request<any>(DASHBOARD);
      const got = await new GraphQLClient(t.url, { method: 'GET', fetch: recordingFetch(seen) }).request<any>(DASHBOARD);
      expect(posted).toEqual(got);
      const plain = await recordingFetch(seen)(`${t.url}?query=${encodeURIComponent(DASHBOARD)}`);
      expect((await plain.json()).data).toEqual(posted);
      expect(seen.map((s) => `${s.method} ${s.status} ${s.cache}`)).toEqual(['POST 200 HIT-L1', 'GET 200 HIT-L1', 'GET 200 HIT-L1']);
    });
  });

  describe('Apollo Client (@apollo/client/core, HttpLink defaults: POST, Accept */*)', () => {
    const seen: Seen[] = [];
    const client = () => new ApolloClient({ link: new HttpLink({ uri: t.url, fetch: recordingFetch(seen) }), cache: new InMemoryCache() });

    it('runs a mutation, and its next read sees the write', async () => {
      const apollo = client();
      // A write needs a writer's key: passed per operation, as a job would (queries stay anonymous, and share entries).
      const written = await apollo.mutate({ mutation: apolloGql(RENAME), variables: { id: '2', description: 'written by Apollo Client' }, context: { headers: WRITER } });
      expect(written.data.updateDataset).toMatchObject({ id: '2', description: 'written by Apollo Client' });
      const read = await client().query({ query: apolloGql('query One($id: ID!) { dataset(id: $id) { id description } }'), variables: { id: '2' } });
      expect(read.data.dataset.description).toBe('written by Apollo Client');
    });

    it('shows a validation error’s message and code (200 with errors, not "status code 400")', async () => {
      seen.length = 0;
      const error = await client()
        .query({ query: apolloGql('query Broken { datasets(first: 1) { nodes { nope } } }') })
        .then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApolloError);
      const apolloError = error as ApolloError;
      expect(apolloError.networkError).toBeNull();
      expect(apolloError.graphQLErrors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(apolloError.message).toMatch(/Cannot query field "nope" on type "Dataset"/);
      expect(seen.map((s) => s.status)).toEqual([200]);
    });
  });

  describe('urql (@urql/core, cacheExchange + fetchExchange: queries as GET, no preflight header)', () => {
    const seen: Seen[] = [];
    const client = () => new UrqlClient({ url: t.url, exchanges: [cacheExchange, fetchExchange], fetch: recordingFetch(seen) });

    it('runs a mutation over POST', async () => {
      seen.length = 0;
      const result = await client().mutation(RENAME, { id: '3', description: 'written by urql' }, { fetchOptions: { headers: WRITER } }).toPromise();
      expect(result.error).toBeUndefined();
      expect(result.data.updateDataset).toMatchObject({ id: '3', description: 'written by urql' });
      expect(seen.map((s) => `${s.method} ${s.status}`)).toEqual(['POST 200']);
    });

    it('shows a request error’s message and code', async () => {
      const result = await client().query('query Broken { datasets(first: 1) { nodes { nope } } }', {}).toPromise();
      expect(result.error?.graphQLErrors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.error?.message).toMatch(/Cannot query field "nope"/);
    });
  });

  describe('graphql-request', () => {
    const seen: Seen[] = [];

    it("runs a mutation, with method: 'GET' too", async () => {
      const client = new GraphQLClient(t.url, { method: 'GET', fetch: recordingFetch(seen) });
      // Mutations always go as POST, whatever the method option says.
      const written = await client.request<any>(RENAME, { id: '4', description: 'written by graphql-request' }, WRITER);
      expect(written.updateDataset.description).toBe('written by graphql-request');
      expect(seen.at(-1)).toMatchObject({ method: 'POST', status: 200 });
    });

    it('reports a request error with its code (a 4xx under the media type it asks for)', async () => {
      const error = await new GraphQLClient(t.url).request('query Broken { datasets(first: 1) { nodes { nope } } }').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ClientError);
      const response = (error as ClientError).response;
      expect(response.status).toBe(400);
      expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('plain fetch', () => {
    it('runs a query as a GET with nothing but the URL, and revalidates it with its ETag', async () => {
      const url = `${t.url}?query=${encodeURIComponent(RECENT)}`;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect((await first.json()).data.datasets.nodes).toHaveLength(5);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      // node:http, not fetch: fetch adds Cache-Control: no-cache to a request carrying If-None-Match.
      const again = await raw(url, 'GET', { 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(again.headers['x-beacon-cache']).toBe('HIT-L1');
    });

    it('runs a mutation as a JSON POST, and refuses one over GET', async () => {
      const posted = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...WRITER },
        body: JSON.stringify({ query: RENAME, variables: { id: '5', description: 'written by fetch' } }),
      });
      expect((await posted.json()).data.updateDataset.description).toBe('written by fetch');
      const viaGet = await fetch(`${t.url}?query=${encodeURIComponent(RENAME)}&variables=${encodeURIComponent('{"id":"5","description":"x"}')}`);
      expect(viaGet.status).toBe(405);
    });
  });

  describe('CORS', () => {
    it('answers an allowed origin’s preflight with the methods, the requested headers and a max-age', async () => {
      const preflight = await raw(t.url, 'OPTIONS', {
        origin: frontend.origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(frontend.origin);
      expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST');
      expect(preflight.headers['access-control-allow-headers']).toBe('authorization, content-type');
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('gives an origin not on the list no CORS header at all, preflight or not', async () => {
      const preflight = await raw(t.url, 'OPTIONS', { origin: elsewhere.origin, 'access-control-request-method': 'POST' });
      expect(preflight.status).toBe(405);
      const get = await raw(`${t.url}?query=${encodeURIComponent('{ health { ok } }')}`, 'GET', { origin: elsewhere.origin });
      expect(get.status).toBe(200);
      for (const response of [preflight, get]) {
        expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      }
    });
  });

  describe.skipIf(!chromiumAvailable())('a Chromium page on another origin', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    /** Runs in the page: two POSTs and a GET with the key, reading what CORS exposes. */
    const callBeacon = (page: import('playwright-core').Page) =>
      page.evaluate(
        async ({ url, token, query }) => {
          const headers = { authorization: `Bearer ${token}` };
          const post = () => fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          const read = async (response: Response) => ({
            status: response.status,
            cache: response.headers.get('x-beacon-cache'),
            etag: response.headers.get('etag'),
            age: response.headers.get('age'),
            count: (await response.json()).data.categories.length as number,
          });
          try {
            const first = await read(await post());
            // Asked again until served from the cache (an entry computed while an earlier test's write was still
            // being announced is not stored), a few times at most.
            let second = await read(await post());
            for (let tries = 0; second.cache !== 'HIT-L1' && tries < 20; tries += 1) second = await read(await post());
            const get = await read(await fetch(`${url}?query=${encodeURIComponent(query)}`, { headers }));
            return { first, second, get };
          } catch (error) {
            return { error: String(error) };
          }
        },
        { url: t.url, token: ADMIN_TOKEN, query: 'query Categories { categories { name datasetCount } }' },
      );

    it('calls Beacon with a key and reads x-beacon-cache, ETag and Age', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${frontend.origin}/`);
        const result = await callBeacon(page);
        expect(result).not.toHaveProperty('error');
        const { first, second, get } = result as Exclude<typeof result, { error: string }>;
        expect(first).toMatchObject({ status: 200, cache: 'MISS' });
        expect(first.count).toBeGreaterThan(0);
        expect(second).toMatchObject({ status: 200, cache: 'HIT-L1' });
        expect(get).toMatchObject({ status: 200, cache: 'HIT-L1' });
        expect(get.etag).toMatch(/^".+"$/);
        expect(get.age).toMatch(/^\d+$/);
      } finally {
        await page.close();
      }
    });

    it('keeps the answers from a page on an origin not on the list', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${elsewhere.origin}/`);
        const result = await callBeacon(page);
        expect(result).toEqual({ error: expect.stringMatching(/Failed to fetch/) });
      } finally {
        await page.close();
      }
    });
  });

  it('passes the GraphQL-over-HTTP audits (graphql-http) with no error and no warning', async () => {
    const failures: string[] = [];
    for (const audit of serverAudits({ url: t.url })) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${result.status}: ${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });
});
