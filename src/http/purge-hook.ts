// The CDN purge hook: each invalidation made on this instance (a mutation, clearCache, an import through the server)
// is POSTed to CDN_PURGE_URL as hashed tags (cdn-tags.ts), in the shape of a purge-by-tag API: Cloudflare's
// `{"tags": [...]}` with a Bearer token, or Fastly's `{"surrogate_keys": [...]}` with a Fastly-Key header.
//
// Only the instance that made the invalidation posts it (origin 'local' in CacheService.onInvalidation): every
// instance hears every invalidation, and all posting would purge each tag once per instance. Tags are collected for
// one event-loop turn and sent in batches of CDN_PURGE_BATCH; a failed batch (network error or non-2xx) is retried
// with exponential backoff, up to CDN_PURGE_ATTEMPTS, then logged and dropped. The mutation never waits for any of it.
import type { Logger } from '../log.js';
import type { CdnTags } from './cdn-tags.js';

export type PurgeFormat = 'cloudflare' | 'fastly';

export interface PurgeOptions {
  url: string;
  token: string | undefined;
  format: PurgeFormat;
  batchSize: number;
  attempts: number;
  /** The first retry's delay; each next one doubles it. */
  backoffMs: number;
  tags: CdnTags;
  logger: Logger;
}

export class PurgeHook {
  /** Tags waiting for the next flush, raw (hashed when sent). */
  private pending = new Set<string>();
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Counters for tests and logs: batches delivered, attempts that failed, batches given up. */
  readonly counts = { delivered: 0, failedAttempts: 0, dropped: 0 };

  constructor(private readonly options: PurgeOptions) {}

  /** Queues tags for the next flush; returns at once. */
  enqueue(tags: readonly string[]): void {
    for (const tag of tags) this.pending.add(tag);
    if (this.scheduled) return;
    this.scheduled = true;
    // One turn: the tags of concurrent writes share a batch.
    setImmediate(() => this.flush());
  }

  /** Waits until everything queued so far was delivered or given up (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.scheduled || this.inFlight.size > 0) {
      if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([...this.inFlight]);
    }
  }

  private flush(): void {
    this.scheduled = false;
    const hashed = [...new Set([...this.pending].map((tag) => this.options.tags.hash(tag)))];
    this.pending = new Set();
    for (let start = 0; start < hashed.length; start += this.options.batchSize) {
      const batch = hashed.slice(start, start + this.options.batchSize);
      const sending = this.deliver(batch).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  private async deliver(batch: string[]): Promise<void> {
    const { attempts, backoffMs, logger } = this.options;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const problem = await this.post(batch);
      if (problem === undefined) {
        this.counts.delivered += 1;
        return;
      }
      this.counts.failedAttempts += 1;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
      else logger.warn('CDN purge failed: tags dropped; the CDN keeps those responses until max-age', { tags: batch.length, attempts, problem });
    }
    this.counts.dropped += 1;
  }

  /** One POST; undefined when the CDN accepted it, else what went wrong (no secret in it). */
  private async post(batch: string[]): Promise<string | undefined> {
    const { url, token, format } = this.options;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) {
      if (format === 'fastly') headers['fastly-key'] = token;
      else headers.authorization = `Bearer ${token}`;
    }
    const body = JSON.stringify(format === 'fastly' ? { surrogate_keys: batch } : { tags: batch });
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer().catch(() => {});
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.name : 'error';
    }
  }
}
