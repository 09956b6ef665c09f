import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeValue, encodeEntry, encodeValue } from '../../src/cache/codec.js';
import { canonicalJson, KeySpace, sessionAudience } from '../../src/cache/keys.js';
import { operationsOf, OperationReader } from '../../src/cache/operation.js';
import { collectionTag, entityTag } from '../../src/cache/tags.js';

/** A small seeded generator (mulberry32), so a failing case reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The characters that break naive key building: separators, glob characters, line breaks, NUL, non-ASCII.
const ALPHABET = ['a', 'b', ':', ',', '=', '*', '?', '[', ']', '\\', '\r', '\n', '\0', ' ', '"', '{', '}', 'é', '日', '😀', '%', '|'];

function randomString(next: () => number, max = 6): string {
  const length = Math.floor(next() * max);
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}

function randomArgs(next: () => number): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const count = Math.floor(next() * 4);
  for (let i = 0; i < count; i += 1) {
    const roll = next();
    args[randomString(next, 3)] = roll < 0.4 ? randomString(next) : roll < 0.6 ? Math.floor(next() * 5) : roll < 0.7 ? null : [randomString(next, 3)];
  }
  return args;
}

function shuffledKeys(value: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const keys = Object.keys(value).sort(() => next() - 0.5);
  return Object.fromEntries(keys.map((key) => [key, value[key]]));
}

describe('cache keys', () => {
  const keys = new KeySpace('test');

  it('gives distinct canonical arguments distinct keys, and equal ones (in any key order) the same key', () => {
    const next = random(42);
    const byCanonical = new Map<string, string>();
    for (let i = 0; i < 5_000; i += 1) {
      const field = randomString(next, 4);
      const args = randomArgs(next);
      const canonical = `${field}\u0000${canonicalJson(args)}`;
      const key = keys.field(field, args);
      expect(keys.field(field, shuffledKeys(args, next))).toBe(key);
      const seen = byCanonical.get(key);
      if (seen !== undefined) expect(seen).toBe(canonical);
      byCanonical.set(key, canonical);
    }
    expect(byCanonical.size).toBeGreaterThan(1_000);
  });

  it('keeps separator-laden field names and arguments apart', () => {
    const pairs: Array<[string, Record<string, unknown>]> = [
      ['a:b', { c: 1 }],
      ['a', { 'b:c': 1 }],
      ['a', { b: 'c,d=e' }],
      ['a', { b: 'c', d: 'e' }],
      ['a', { b: '*' }],
      ['a', { b: '?' }],
      ['a', { b: '[' }],
      ['a', { b: 'x\r\ny' }],
      ['a', { b: 'x\0y' }],
      ['a', { b: 'é' }],
      ['a', { b: 'e\u0301' }],
      ['a', { b: null }],
      ['a', {}],
      ['a', { b: '1' }],
      ['a', { b: 1 }],
      ['a', { b: [1, 2] }],
      ['a', { b: '[1,2]' }],
    ];
    const seen = new Set(pairs.map(([field, args]) => keys.field(field, args)));
    expect(seen.size).toBe(pairs.length);
  });

  it('treats undefined arguments as absent and null as a value', () => {
    expect(keys.field('f', { a: 1, b: undefined })).toBe(keys.field('f', { a: 1 }));
    expect(keys.field('f', { a: 1, b: null })).not.toBe(keys.field('f', { a: 1 }));
  });

  it('never puts a raw client string into a key', () => {
    const hostile = 'x*?[a]\r\nKEYS *';
    const key = keys.response({ document: hostile, operationName: hostile, variables: { v: hostile }, audience: 'PUBLIC' });
    expect(key).toMatch(/^test:r:[A-Za-z0-9_-]{43}$/);
    expect(keys.tagVersion(hostile)).toMatch(/^test:tv:[A-Za-z0-9_-]{43}$/);
    expect(sessionAudience('Bearer secret')).not.toContain('secret');
  });

  it('separates response keys by document, operation name, variables and audience', () => {
    const base = { document: '{a}', operationName: undefined, variables: { x: 1 }, audience: 'PUBLIC' };
    const variants = [
      base,
      { ...base, document: '{b}' },
      { ...base, operationName: 'Q' },
      { ...base, variables: { x: 2 } },
      { ...base, variables: {} },
      { ...base, audience: sessionAudience('Bearer a') },
      { ...base, audience: sessionAudience('Bearer b') },
    ];
    expect(new Set(variants.map((variant) => keys.response(variant))).size).toBe(variants.length);
    expect(keys.response({ ...base, variables: { y: 2, x: 1 } })).toBe(keys.response({ ...base, variables: { x: 1, y: 2 } }));
  });

  it('encodes tag parts so separators in ids cannot forge another tag', () => {
    expect(entityTag('Dataset', 'a:b')).not.toBe(entityTag('Dataset:a', 'b'));
    expect(collectionTag('ModelRun', { dataset: '7,status=X' })).not.toBe(collectionTag('ModelRun', { dataset: '7', status: 'X' }));
    expect(collectionTag('ModelRun', { b: 1, a: 2 })).toBe(collectionTag('ModelRun', { a: 2, b: 1 }));
  });
});

describe('cache codec', () => {
  it('round-trips Dates, nested values and objects whose keys look like its own tags', () => {
    const value = {
      at: new Date('2024-05-01T12:00:00.000Z'),
      list: [new Date(0), 1, 'x', null],
      row: { $d: 'not a date', $$x: 1, plain: true },
      nested: { deeper: { when: new Date('2030-01-01T00:00:00Z') } },
    };
    const decoded = decodeValue<typeof value>(encodeValue(value));
    expect(decoded).toEqual(value);
    expect(decoded.at).toBeInstanceOf(Date);
    expect(decoded.row).toEqual({ $d: 'not a date', $$x: 1, plain: true });
  });

  it('stores an entry so that its body comes back byte for byte', () => {
    const body = '{"data":{"x":"line\\nbreak é 😀"}}\n{"second":"line"}';
    const entry = { body, contentType: 'application/json; charset=utf-8', tags: ['Dataset:1', 'Dataset'], stamp: 12, createdAt: 5, ttlMs: 1000, graceMs: 10, reserveMs: 20, name: 'Q' };
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    expect(decodeEntry('garbage')).toBeUndefined();
  });
});

describe('operation reading (no parse)', () => {
  it('finds each operation and its type by a lexer pass', () => {
    expect(operationsOf('{ a }')).toEqual([{ type: 'query', name: undefined }]);
    expect(operationsOf('query Q($x: In = {a: {b: 1}}) @d(x: {y: 1}) { a(x: {q: 1}) { b } } mutation M { m }')).toEqual([
      { type: 'query', name: 'Q' },
      { type: 'mutation', name: 'M' },
    ]);
    expect(operationsOf('fragment F on Query { a } query { ...F }')).toEqual([{ type: 'query', name: undefined }]);
    expect(operationsOf('subscription S { s }')).toEqual([{ type: 'subscription', name: 'S' }]);
  });

  it('normalizes ignored characters, so formatting does not split the cache', () => {
    const reader = new OperationReader();
    const read = (query: string) => reader.read({ method: 'POST', query: {}, body: { query } });
    expect(read('{ health { ok } }')?.document).toBe(read('query   {\n  health {ok}, # comment\n}')?.document.replace('query', ''));
    expect(read('{ health { ok } }')?.document).toBe(read('{health{ok}}')?.document);
    expect(read('mutation { x }')?.type).toBe('mutation');
    expect(read('{ unterminated "')).toBeUndefined();
    expect(reader.read({ method: 'POST', query: {}, body: [{ query: '{a}' }] })).toBeUndefined();
  });
});
