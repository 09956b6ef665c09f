// Requests remembered by their exact bytes, so that a repeat is keyed without being parsed (http/fast-lane.ts).
//
// A POST body the full path has read (strict UTF-8, JSON without prototype keys, the operation checks passed) and
// keyed as a query is remembered here with what keying found: the operation read from it (operation.ts) and, per
// caller visibility and media type, the key built from that (keys.ts). The same bytes always parse, check and key
// the same way, so for a repeat the lookup of the bytes replaces JSON.parse, the lexer passes, canonicalJson and
// sha256. Only exact bytes match: the same variables in another order, or other whitespace, are new bytes; the full
// path keys them (to the same key, as ever) and they are remembered in turn.
//
// Bounded by the bytes of the bodies held (and by count), in two generations rather than an LRU: a lookup is one or
// two Map reads, with no recency list to update on every hit. New bodies enter the young generation; when it is
// full, it becomes the old one and the previous old one is dropped; a body found in the old generation moves back
// to the young one. Dashboards send a few hundred distinct bodies over and over, and those stay; a client sending
// unique bodies only churns the generations.
import type { OperationRequest } from './operation.js';

export interface RememberedRequest {
  readonly operation: OperationRequest;
  /** Key by caller visibility, then by response media type, built on first use (two reads, no string built). */
  readonly keys: Map<string, Map<string, string>>;
}

/** Bodies larger than this are never remembered: they are rare, and keying them is cheap next to sending them. */
export const MAX_REMEMBERED_BODY_BYTES = 16 * 1024;
/** Per generation: two of them hold at most twice this. */
const GENERATION_BYTES = 4 * 1024 * 1024;
const GENERATION_ENTRIES = 10_000;
/** Per entry beyond the body: the entry, its operation (the document string is shared with operation.ts), keys. */
const ENTRY_OVERHEAD_BYTES = 512;

export class RawRequests {
  private young = new Map<string, RememberedRequest>();
  private old = new Map<string, RememberedRequest>();
  private youngBytes = 0;

  /**
   * `raw` is the body's bytes as a latin1 string: one character per byte, so equal strings are equal bytes (a UTF-8
   * decoding would map different invalid byte sequences to the same replacement characters).
   */
  get(raw: string): RememberedRequest | undefined {
    const young = this.young.get(raw);
    if (young !== undefined) return young;
    const old = this.old.get(raw);
    if (old !== undefined) {
      this.old.delete(raw);
      this.add(raw, old);
    }
    return old;
  }

  remember(raw: string, operation: OperationRequest): void {
    if (raw.length > MAX_REMEMBERED_BODY_BYTES || this.get(raw) !== undefined) return;
    this.add(raw, { operation, keys: new Map() });
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private add(raw: string, remembered: RememberedRequest): void {
    if (this.youngBytes >= GENERATION_BYTES || this.young.size >= GENERATION_ENTRIES) {
      this.old = this.young;
      this.young = new Map();
      this.youngBytes = 0;
    }
    this.young.set(raw, remembered);
    this.youngBytes += raw.length + ENTRY_OVERHEAD_BYTES;
  }
}
