// Encodings: field values to text and back (Dates survive the round trip), and entries to the one string Redis
// stores. Field values go through text even in L1, so a hit can never hand out an object another request mutates,
// and a miss returns exactly what later hits will.
import type { CacheEntry } from './store.js';

const DATE = '$d';

/**
 * JSON with Dates tagged as `{"$d": iso}`. A plain object key starting with `$` is escaped by doubling the `$`, so
 * stored user data (dataset rows are arbitrary objects) can never be mistaken for a tag.
 */
export function encodeValue(value: unknown): string {
  const text = JSON.stringify(value, function replacer(this: Record<string, unknown>, key, encoded) {
    const original = this[key];
    if (original instanceof Date) return { [DATE]: original.toISOString() };
    if (original !== null && typeof original === 'object' && !Array.isArray(original) && hasDollarKey(original)) {
      const escaped: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(original)) escaped[name.startsWith('$') ? `$${name}` : name] = item;
      return escaped;
    }
    return encoded;
  });
  // JSON.stringify(undefined) is undefined: keep it representable.
  return text ?? 'null';
}

export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_key, value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === DATE && typeof value[DATE] === 'string') return new Date(value[DATE]);
    if (!keys.some((name) => name.startsWith('$'))) return value;
    const unescaped: Record<string, unknown> = {};
    for (const name of keys) unescaped[name.startsWith('$$') ? name.slice(1) : name] = value[name];
    return unescaped;
  }) as T;
}

function hasDollarKey(value: object): boolean {
  for (const name in value) if (name.startsWith('$')) return true;
  return false;
}

interface StoredMeta {
  v: 1;
  ct?: string;
  tags: readonly string[];
  stamp: number;
  ahead?: readonly number[];
  at: number;
  ttl: number;
  grace: number;
  reserve: number;
  name: string;
}

/** One line of JSON metadata, a newline, then the body untouched (JSON never contains a raw newline). */
export function encodeEntry(entry: CacheEntry): string {
  const meta: StoredMeta = {
    v: 1,
    ...(entry.contentType ? { ct: entry.contentType } : {}),
    tags: entry.tags,
    stamp: entry.stamp,
    ...(entry.ahead ? { ahead: entry.ahead } : {}),
    at: entry.createdAt,
    ttl: entry.ttlMs,
    grace: entry.graceMs,
    reserve: entry.reserveMs,
    name: entry.name,
  };
  return `${JSON.stringify(meta)}\n${entry.body}`;
}

/** The entry, or undefined for anything that is not one (a foreign or older format is a miss, not an error). */
export function decodeEntry(text: string): CacheEntry | undefined {
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  let meta: StoredMeta;
  try {
    meta = JSON.parse(text.slice(0, newline));
  } catch {
    return undefined;
  }
  if (meta?.v !== 1 || !Array.isArray(meta.tags) || typeof meta.stamp !== 'number') return undefined;
  return {
    body: text.slice(newline + 1),
    ...(meta.ct ? { contentType: meta.ct } : {}),
    tags: meta.tags,
    stamp: meta.stamp,
    ...(Array.isArray(meta.ahead) && meta.ahead.length === meta.tags.length ? { ahead: meta.ahead } : {}),
    createdAt: meta.at,
    ttlMs: meta.ttl,
    graceMs: meta.grace,
    reserveMs: meta.reserve,
    name: meta.name,
  };
}
