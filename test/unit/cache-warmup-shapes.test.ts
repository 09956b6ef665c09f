// The warm-up's client shapes (src/cache/warmup.ts) must be the very documents Apollo Client and urql send, since a
// response is keyed by its stripped document text: compared here with the clients' own transforms.
import { addTypenameToDocument } from '@apollo/client/utilities';
import { formatDocument, stringifyDocument } from '@urql/core';
import { parse, print, stripIgnoredCharacters } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientShapes, withTypenames } from '../../src/cache/warmup.js';
import { parseWarmup } from '../../src/config.js';

const DOCUMENTS = [
  ...parseWarmup(readFileSync('warmup.json', 'utf8'), 'warmup.json').map((operation) => operation.query),
  'query Panel($id: ID!) { dataset(id: $id) { id name columns { name type } ...Runs } } fragment Runs on Dataset { modelRuns(first: 3) { nodes { id metrics { f1 } } } }',
  '{ health { __typename ok } categories { name } }',
  'query { a: dataset(id: "1") { ... on Dataset { id } } }',
];
const key = (text: string) => stripIgnoredCharacters(text);

describe('warm-up shapes', () => {
  it.each(DOCUMENTS)('adds __typename exactly as Apollo Client does: %s', (query) => {
    expect(key(print(withTypenames(parse(query))))).toBe(key(print(addTypenameToDocument(parse(query)))));
  });

  it.each(DOCUMENTS)('adds __typename exactly as urql does: %s', (query) => {
    expect(key(print(withTypenames(parse(query))))).toBe(key(stringifyDocument(formatDocument(parse(query)))));
  });

  it('warms the document as written and as the clients send it, once each', () => {
    const [written, typed, ...rest] = clientShapes('query Health { health { ok version } }');
    expect(written).toBe('query Health { health { ok version } }');
    expect(key(typed!)).toBe('query Health{health{ok version __typename}}');
    expect(rest).toEqual([]);
    // Nothing to add (only the operation's own selection set): one shape.
    expect(clientShapes('{ __typename }')).toEqual(['{ __typename }']);
  });
});
