// JWTs signed by an external identity provider, verified with `jose` against its JWKS (a file read at start, or a
// URL jose fetches and refreshes itself), with the configured issuer and audience. Two claims map the token to a
// principal: the team claim (must name a team) and the role claim (reader, writer or admin; a token without one
// is a reader).
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config.js';
import { TEAM_PATTERN } from './api-keys.js';
import { ROLES, type Principal, type Role } from './principal.js';

/** A verified token's principal and when it stops being valid (ms since the epoch), or undefined when invalid. */
export type JwtVerification = { principal: Principal; expiresAt: number | undefined } | undefined;

export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly config: JwtConfig) {
    if (config.jwksFile) this.keys = createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')));
    else if (config.jwksUrl) this.keys = createRemoteJWKSet(new URL(config.jwksUrl));
    else throw new Error('JwtVerifier needs JWT_JWKS_FILE or JWT_JWKS_URL');
  }

  /** Whether a bearer token looks like a JWS compact serialization (three base64url parts). */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
  }

  async verify(token: string): Promise<JwtVerification> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      }));
    } catch {
      return undefined;
    }
    const team = payload[this.config.teamClaim];
    const role = payload[this.config.roleClaim] ?? 'reader';
    if (typeof team !== 'string' || !TEAM_PATTERN.test(team)) return undefined;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return undefined;
    const principal: Principal = Object.freeze({
      id: `jwt:${payload.iss ?? ''}|${payload.sub ?? ''}`,
      kind: 'jwt',
      role: role as Role,
      team,
      allTeams: false,
    });
    return { principal, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
  }
}
