// An automatic persisted query (APQ) as Apollo clients send it: the sha256 of the document, with the document when
// registering it.
import { createHash } from 'node:crypto';
import type { TestApp } from './app.js';

export const APQ_QUERY = 'query ApqDataset($id: ID!) { dataset(id: $id) { id name } }';
export const APQ_HASH = createHash('sha256').update(APQ_QUERY).digest('hex');

/** One APQ request: the hash, and the query too when registering. */
export async function apq(t: TestApp, variables: Record<string, unknown>, register: boolean) {
  const response = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(register ? { query: APQ_QUERY } : {}),
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: APQ_HASH } },
    }),
  });
  return { status: response.status, cache: response.headers.get('x-beacon-cache'), body: (await response.json()) as any };
}
