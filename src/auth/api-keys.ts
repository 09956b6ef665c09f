// API keys: `bk_<id>_<secret>`. The id (12 random bytes) is the primary key of the stored row and is not secret; the
// secret (32 random bytes) is stored only as its sha256. Why sha256 and not bcrypt: the secret is 256 random bits,
// so there is nothing for a slow hash to protect against guessing, and verification stays microseconds.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Role, Tables } from '../db/tables.js';
import { ROLES, type Principal } from './principal.js';

const KEY_PATTERN = /^bk_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;
export const TEAM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface ApiKeyInfo {
  id: string;
  role: Role;
  team: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Whether a bearer token has the shape of an API key (checked before any lookup: malformed costs nothing). */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function checkRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new Error(`role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as Role;
}

export function checkTeam(value: string): string {
  if (!TEAM_PATTERN.test(value)) throw new Error(`team must be lowercase letters, digits, _ or - (1-64, starting with a letter or digit), got ${JSON.stringify(value)}`);
  return value;
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller's hands. */
  async create(input: { role: Role; team: string; name?: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const row = await this.db
      .insertInto('api_keys')
      .values({ id, secret_sha256: secretDigest(secret), role: checkRole(input.role), team: checkTeam(input.team), name: input.name ?? '' })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { key: `bk_${id}_${secret}`, info: infoOf(row) };
  }

  /** Revokes a key by id (or by the whole key); false when there is no such unrevoked key. */
  async revoke(idOrKey: string): Promise<boolean> {
    const id = parseApiKey(idOrKey)?.id ?? idOrKey;
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(infoOf);
  }

  /** The principal of a valid, unrevoked key; undefined otherwise. One primary-key lookup. */
  async verify(token: string): Promise<Principal | undefined> {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    const expected = Buffer.from(row.secret_sha256, 'hex');
    const actual = Buffer.from(secretDigest(parsed.secret), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return Object.freeze({ id: `key:${row.id}`, kind: 'api-key', role: row.role, team: row.team, allTeams: false });
  }
}

function infoOf(row: { id: string; role: Role; team: string; name: string; created_at: Date; revoked_at: Date | null }): ApiKeyInfo {
  return { id: row.id, role: row.role, team: row.team, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}
