// CDN tags: every cacheable public response names what it depends on in a header a CDN purges by (Fastly's
// Surrogate-Key, Cloudflare's Cache-Tag), and the purge hook (purge-hook.ts) names the same values on a write. Tags
// carry ids and arguments (`Dataset:42`, `ModelRun:list:dataset=7`), so they leave Beacon only hashed: an HMAC under
// CDN_TAG_SECRET (or, unset, a hash under the cache namespace), shortened; the CDN needs equality, nothing more.
import { createHash, createHmac } from 'node:crypto';
import { typeOfTag } from '../cache/index.js';

export type CdnTagHeader = 'off' | 'Surrogate-Key' | 'Cache-Tag' | 'both';

export interface CdnTagOptions {
  header: CdnTagHeader;
  namespace: string;
  secret: string | undefined;
}

/** The tag every cached entry carries (cache/versions.ts ALL_TAG): clearCache(scope: ALL) purges it. */
const ALL_TAG = '*';

/**
 * Both CDNs cap the header near 16 KB. A response whose tags do not fit is sent with no tags and kept out of shared
 * caches (no purge could reach it): a list of a few hundred rows fits easily.
 */
export const MAX_TAG_HEADER_BYTES = 16_000;

export class CdnTags {
  constructor(private readonly options: CdnTagOptions) {}

  get enabled(): boolean {
    return this.options.header !== 'off';
  }

  /** A tag as the CDN sees it: 16 base64url characters (96 bits), the namespace's prefix so several share a zone. */
  hash(tag: string): string {
    const { namespace, secret } = this.options;
    const digest = secret ? createHmac('sha256', secret).update(tag).digest('base64url') : createHash('sha256').update(`${namespace}\0${tag}`).digest('base64url');
    return `${namespace}-${digest.slice(0, 16)}`;
  }

  /** The headers for a public response depending on `tags`: each tag, its type's, and the tag of everything. */
  headersFor(tags: readonly string[]): Array<[string, string]> {
    if (!this.enabled) return [];
    const all = new Set<string>([ALL_TAG]);
    for (const tag of tags) {
      all.add(tag);
      all.add(typeOfTag(tag));
    }
    const value = [...all].map((tag) => this.hash(tag)).join(' ');
    if (value.length > MAX_TAG_HEADER_BYTES) return [['surrogate-control', 'no-store'], ['cdn-cache-control', 'no-store']];
    const { header } = this.options;
    const headers: Array<[string, string]> = [];
    if (header === 'Surrogate-Key' || header === 'both') headers.push(['surrogate-key', value]);
    // Cloudflare's Cache-Tag is comma-separated.
    if (header === 'Cache-Tag' || header === 'both') headers.push(['cache-tag', value.replaceAll(' ', ',')]);
    return headers;
  }
}
