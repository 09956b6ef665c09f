// Authorization header -> principal, once per request, before the rate limit and the response cache. Verification
// is cached per process in a small LRU with a TTL (AUTH_CACHE_TTL_SECONDS, default 30), so a request with a known
// credential pays a sha256 of the header and a map lookup, not a database round trip or a signature check. The
// price would be a delay before a revocation is seen, so `npm run keys -- revoke` publishes it on the cache's
// invalidation channel (the tag revokedKeyTag(id), cache/broadcast.ts) and every instance on that Redis forgets the
// key as the message arrives (app.ts wires it): milliseconds. Where no message can come (no Redis, the cache off, the
// subscription down while it was sent) the TTL is the bound. Failures are cached too, so a client repeating a bad
// token costs nothing more than a good one.
//
// A valid credential in use is verified again in the background once half its TTL has passed, while its requests
// go on being answered from the cache: otherwise, each time it expired, every request carrying it (50 at once from
// one dashboard's workers) would leave the fast lane for the full path and a database lookup of its own. Concurrent
// verifications of one credential share one lookup.
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { bearerToken } from '../graphql/admin.js';
import type { ApiKeyRepository } from './api-keys.js';
import { parseApiKey } from './api-keys.js';
import { JwtVerifier } from './jwt.js';
import { ADMIN_TOKEN_PRINCIPAL, ANONYMOUS, type Principal } from './principal.js';

/** The cache tag whose invalidation tells every instance that key `keyId` was revoked. */
export function revokedKeyTag(keyId: string): string {
  return `ApiKey:${keyId}`;
}

/** What a request's credentials amount to: a principal, or `invalid` (answered 401, before it gets a rate bucket). */
export type Authentication = Principal | 'invalid';

export interface AuthenticatorOptions {
  adminToken: string | undefined;
  keys: ApiKeyRepository | undefined;
  jwt: JwtVerifier | undefined;
  /** How long a verification (either way) is trusted, in ms. */
  cacheTtlMs: number;
  /** Distinct credentials remembered. */
  cacheMax?: number;
  now?: () => number;
}

interface Remembered {
  principal: Principal | undefined;
  /** The key id, for forgetting a revoked key at once. */
  keyId: string | undefined;
  /** When a request carrying it starts a background verification (never, for a failure, or once one has started). */
  refreshAt: number;
}

export class Authenticator {
  private readonly cache: LRUCache<string, Remembered>;
  private readonly now: () => number;
  /** The ADMIN_TOKEN's digest, compared with each token's (whose digest is also its cache key). */
  private readonly adminDigest: string | undefined;
  /** Bumped by every revocation heard: a verification that started before one is not remembered (it may predate it). */
  private revocations = 0;
  /** Verifications under way, by digest: a credential is looked up once however many requests wait for it. */
  private readonly verifying = new Map<string, Promise<Authentication>>();

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.adminDigest = options.adminToken ? digest(options.adminToken) : undefined;
    this.cache = new LRUCache<string, Remembered>({
      max: options.cacheMax ?? 10_000,
      ttl: Math.max(1, options.cacheTtlMs),
      ttlAutopurge: false,
      // Ask the clock on every read (no 1 ms resolution timer): exact expiry, and a clock tests can move.
      ttlResolution: 0,
      perf: { now: this.now },
    });
  }

  /**
   * The answer without waiting, when there is one: no header (anonymous), the admin token, or a credential verified
   * within the TTL. Undefined: verify() must look it up. The fast lane (http/fast-lane.ts) answers only these.
   */
  peek(authorization: string | undefined): Authentication | undefined {
    if (authorization === undefined) return ANONYMOUS;
    const token = bearerToken(authorization);
    if (token === undefined) return 'invalid';
    // One SHA-256 per request: the same digest checks the admin token and keys the cache. Comparing digests, not
    // tokens, is what keeps the comparison safe without timingSafeEqual: how long it takes tells a client how much of
    // the admin token's digest its own token's digest shares, which says nothing of the token.
    const hashed = digest(token);
    if (hashed === this.adminDigest) return ADMIN_TOKEN_PRINCIPAL;
    const remembered = this.cache.get(hashed);
    if (remembered === undefined) return undefined;
    if (remembered.refreshAt <= this.now()) {
      // Once: a failed refresh (the database down) leaves the entry to expire, and the full path to try again.
      remembered.refreshAt = Infinity;
      this.verifyOnce(token, hashed).catch(() => {});
    }
    return remembered.principal ?? 'invalid';
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    const known = this.peek(authorization);
    if (known !== undefined) return known;
    const token = bearerToken(authorization)!;
    return this.verifyOnce(token, digest(token));
  }

  /** Verifies a token, or joins the verification of it already under way. */
  private verifyOnce(token: string, hashed: string): Promise<Authentication> {
    const joined = this.verifying.get(hashed);
    if (joined !== undefined) return joined;
    const verification = this.verify(token, hashed).finally(() => {
      if (this.verifying.get(hashed) === verification) this.verifying.delete(hashed);
    });
    this.verifying.set(hashed, verification);
    return verification;
  }

  private async verify(token: string, hashed: string): Promise<Authentication> {
    const keyId = parseApiKey(token)?.id;
    const revocationsBefore = this.revocations;
    let principal: Principal | undefined;
    let ttl = this.options.cacheTtlMs;
    if (keyId !== undefined) {
      principal = this.options.keys ? await this.options.keys.verify(token) : undefined;
    } else if (this.options.jwt && JwtVerifier.looksLikeJwt(token)) {
      const verified = await this.options.jwt.verify(token);
      principal = verified?.principal;
      // A token is trusted no longer than it is valid.
      if (verified?.expiresAt !== undefined) ttl = Math.min(ttl, verified.expiresAt - this.now());
    }
    if (ttl > 0 && revocationsBefore === this.revocations) {
      const refreshAt = principal ? this.now() + ttl / 2 : Infinity;
      this.cache.set(hashed, { principal, keyId, refreshAt }, { ttl });
    }
    return principal ?? 'invalid';
  }

  /** Forgets a revoked key now: its next request is verified against the database again. */
  forgetKey(keyId: string): void {
    this.revocations += 1;
    // A verification under way may have read the key before its revocation: requests from now on start their own.
    this.verifying.clear();
    for (const [hash, remembered] of this.cache.entries()) if (remembered.keyId === keyId) this.cache.delete(hash);
  }

  /** Forgets every verification (the cache lost track of what was published: a revocation may have been missed). */
  forgetAll(): void {
    this.revocations += 1;
    this.verifying.clear();
    this.cache.clear();
  }

  /** An invalidation heard on the cache's channel (or made here): forgets the keys whose revocation it announces. */
  heardInvalidation(tags: readonly string[]): void {
    for (const tag of tags) if (tag.startsWith(REVOKED_KEY_PREFIX)) this.forgetKey(tag.slice(REVOKED_KEY_PREFIX.length));
  }
}

const REVOKED_KEY_PREFIX = revokedKeyTag('');

/** crypto.hash, one call and no Hash object: a quarter of createHash's cost, paid on every request with a credential. */
function digest(token: string): string {
  return hash('sha256', token, 'base64url');
}
