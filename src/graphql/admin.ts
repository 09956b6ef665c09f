// The admin check: `Authorization: Bearer <ADMIN_TOKEN>`. Compared in constant time (over digests, so lengths do
// not leak either); with no ADMIN_TOKEN configured, nobody is admin.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of a `Bearer` Authorization header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

export function isAdminAuthorization(authorization: string | undefined, adminToken: string | undefined): boolean {
  const token = bearerToken(authorization);
  if (!adminToken || token === undefined) return false;
  return timingSafeEqual(digest(token), digest(adminToken));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
