// Who is calling, and what they may do and see. A principal is resolved once per request (authenticator.ts) from the
// Authorization header: nobody (anonymous), the bootstrap ADMIN_TOKEN, an API key, or a JWT. Roles are ordered:
// reader < writer < admin, each including the ones below. Visibility is by team: a caller sees public data and the
// data of its own team; the ADMIN_TOKEN (the operator's credential) sees every team.
import { GraphQLError } from 'graphql';
import type { Role } from '../db/tables.js';

export type { Role } from '../db/tables.js';
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin'];

export interface Principal {
  /** Stable id for rate limiting and logs: `anonymous`, `admin-token`, `key:<id>`, `jwt:<iss>|<sub>`. Never a secret. */
  readonly id: string;
  readonly kind: 'anonymous' | 'admin-token' | 'api-key' | 'jwt';
  /** Null for anonymous callers: they may read (when ANONYMOUS_READS=true) and nothing else. */
  readonly role: Role | null;
  /** The team whose private data the caller sees; null: public data only (or everything, with `allTeams`). */
  readonly team: string | null;
  /** The ADMIN_TOKEN sees every team's data. */
  readonly allTeams: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'anonymous', role: null, team: null, allTeams: false });

export const ADMIN_TOKEN_PRINCIPAL: Principal = Object.freeze({ id: 'admin-token', kind: 'admin-token', role: 'admin', team: null, allTeams: true });

export const AuthCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
} as const;

/** Whether `principal` holds `role` (or a higher one). */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.role !== null && ROLES.indexOf(principal.role) >= ROLES.indexOf(role);
}

/**
 * The check every write makes before any work: UNAUTHENTICATED (HTTP 401) without credentials, FORBIDDEN (HTTP 403)
 * with too small a role. Returns the principal, so `const who = requireRole(principal, 'writer')` reads naturally.
 */
export function requireRole(principal: Principal, role: Role): Principal {
  if (principal.role === null) {
    throw new GraphQLError(`This operation needs ${role === 'admin' ? 'an' : 'a'} ${role} credential: send Authorization: Bearer <API key or token>.`, {
      extensions: { code: AuthCode.UNAUTHENTICATED, http: { status: 401 } },
    });
  }
  if (!hasRole(principal, role)) {
    throw new GraphQLError(`This operation needs the ${role} role; this credential has the ${principal.role} role.`, {
      extensions: { code: AuthCode.FORBIDDEN, http: { status: 403 } },
    });
  }
  return principal;
}

/**
 * Which datasets a principal sees, as SQL needs it: every team, or public ones plus those of `teams`.
 */
export type Visibility = { readonly all: true } | { readonly all: false; readonly teams: readonly string[] };

export const PUBLIC_ONLY: Visibility = Object.freeze({ all: false, teams: [] });
export const EVERY_TEAM: Visibility = Object.freeze({ all: true });

export function visibilityOf(principal: Principal): Visibility {
  if (principal.allTeams) return EVERY_TEAM;
  return principal.team === null ? PUBLIC_ONLY : { all: false, teams: [principal.team] };
}

/** Whether a row private to `team` (null: public) is visible. */
export function canSee(visibility: Visibility, team: string | null): boolean {
  return team === null || visibility.all || visibility.teams.includes(team);
}

/**
 * The part of a response cache key that says what the caller may see: every response is keyed by it, so callers
 * who see the same data (everyone anonymous, one team, the operators) share entries, and nobody is served an
 * entry computed for a wider visibility. Not the person: a team shares its entries.
 */
export function visibilityScope(principal: Principal): string {
  if (principal.allTeams) return 'vis:all';
  if (principal.team === null) return 'vis:public';
  // One string per team, not one per request: the fast lane looks keys up by it, and V8 hashes a string once.
  let scope = TEAM_SCOPES.get(principal.team);
  if (scope === undefined) {
    scope = `vis:team:${principal.team}`;
    if (TEAM_SCOPES.size < MAX_TEAM_SCOPES) TEAM_SCOPES.set(principal.team, scope);
  }
  return scope;
}

/** Teams come from keys and trusted tokens, so they are few; the bound is against a token issuer minting many. */
const MAX_TEAM_SCOPES = 1_000;
const TEAM_SCOPES = new Map<string, string>();
