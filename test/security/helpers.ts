// Shared by the hardening tests: raw HTTP requests (any method, headers and bytes), the leak check every response
// must pass, the liveness probe, and a fingerprint of the database to prove hostile input changed nothing.
import pg from 'pg';
import { expect } from 'vitest';

export interface RawRequest {
  method?: string;
  /** Path and query string, e.g. `/graphql?query=...`; default `/graphql`. */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: any;
  ms: number;
}

/** `origin` is `http://host:port` (no path). */
export async function send(origin: string, request: RawRequest): Promise<RawResponse> {
  const started = performance.now();
  const response = await fetch(origin + (request.path ?? '/graphql'), {
    method: request.method ?? 'POST',
    headers: request.headers,
    body: request.body as BodyInit | undefined,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, ms };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A POST of a JSON body with the usual content type. */
export function post(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): RawRequest {
  return { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ query, variables }) };
}

/** What no response may contain, whatever the request: internals a client must never see. */
const LEAKS: Array<[string, RegExp]> = [
  ['a stack trace', /\n\s+at\s|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|"stacktrace"/],
  ['a file path', /\/work\/|node_modules|\/src\/|\/home\/|\/usr\/|file:\/\/|\.[cm]?[jt]s:\d+/],
  ['SQL text', /\b(select|insert into|update|delete from|from|where|join)\s+"[a-z_]+"|syntax error at or near|relation "|column "[^"]+" (does not exist|of relation)|violates [a-z ]*constraint|duplicate key value|\$\d+\b/i],
  [
    'driver or Redis error text',
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|timeout exceeded when trying to connect|not queryable|pg-pool|node-postgres|kysely|ioredis|ReplyError|WRONGTYPE|NOAUTH|READONLY You|MISCONF|LOADING Redis|Redis connection|invalid byte sequence|canceling statement/i,
  ],
  ['a suggestion', /Did you mean/],
];

export function expectNoLeaks(response: { text: string; headers?: Headers }): void {
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(response.text);
    expect(match, `response contains ${what}: ${match?.[0]} in ${response.text.slice(0, 300)}`).toBeNull();
  }
  const serverHeader = response.headers?.get('x-powered-by');
  expect(serverHeader ?? null).toBeNull();
}

/** The error response shape the API promises for every failure: `{ errors: [{ message, extensions: { code } }] }`. */
export function errorCode(response: RawResponse): string | undefined {
  const errors = response.json?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  expect(typeof errors[0].message).toBe('string');
  return errors[0].extensions?.code;
}

/** The server still answers a real query through Apollo (the response cache bypassed) after whatever came before. */
export async function expectLive(origin: string): Promise<void> {
  const response = await send(origin, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'cache-control': 'no-cache' },
    body: JSON.stringify({ query: '{ health { ok } }' }),
  });
  expect(response.status, response.text).toBe(200);
  expect(response.json?.data?.health?.ok).toBe(true);
}

/** Row counts and a content hash of every table in the public schema: equal fingerprints, equal data. */
export async function databaseFingerprint(databaseUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const fingerprint: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const quoted = `"${name.replace(/"/g, '""')}"`;
      const result = await client.query<{ n: string; digest: string | null }>(
        `select count(*)::text as n, md5(string_agg(t::text, '|' order by t::text)) as digest from ${quoted} t`,
      );
      fingerprint[name] = `${result.rows[0].n}:${result.rows[0].digest ?? ''}`;
    }
    return fingerprint;
  } finally {
    await client.end();
  }
}

export function originOf(graphqlUrl: string): string {
  return new URL(graphqlUrl).origin;
}

/** Text that only a response holding `team`'s demo data (src/datasets/team-seed.ts) or a test's writes can contain. */
export function teamMarkers(team: string): RegExp {
  return new RegExp(`${team[0]!.toUpperCase()}${team.slice(1)} team|${team}-classifier|Private to the ${team} team|${team}_amount|${team}-secret`);
}
