// The checks a request passes before it may be served, as one list that both paths run: Fastify's (one onRequest
// hook, after authentication) and the fast lane's (fast-lane.ts, on the raw request, before a cache hit is sent). A
// check added to the list applies to cache hits as well; nothing is copied by hand from one path to the other.
//
// A check sees the raw request and the caller (the verified principal; the fast lane's is a cached verification),
// and says which headers the reply carries and, when the request may not be served, why. The fast lane hands a
// refused request to Fastify, whose hook refuses it in the usual words.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { principalOf } from './authentication.js';
import { sendGraphqlError } from './replies.js';

export interface Refusal {
  status: number;
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
}

export interface PreCheckVerdict {
  /** Headers the reply carries, served or refused. */
  headers?: Array<[string, string]>;
  refusal?: Refusal;
}

export interface PreCheck {
  readonly name: string;
  /** undefined: the request passes and nothing is added. */
  check(request: IncomingMessage, principal: Principal | undefined): PreCheckVerdict | undefined;
}

/** Runs the checks in order on the full path; the first refusal answers the request. */
export function installPreChecks(app: FastifyInstance, checks: readonly PreCheck[]): void {
  if (checks.length === 0) return;
  app.addHook('onRequest', async function preChecks(request: FastifyRequest, reply: FastifyReply) {
    const principal = principalOf(request.raw);
    for (const check of checks) {
      const verdict = check.check(request.raw, principal);
      if (!verdict) continue;
      for (const [name, value] of verdict.headers ?? []) reply.header(name, value);
      const refusal = verdict.refusal;
      if (refusal) return sendGraphqlError(reply, refusal.status, refusal.code, refusal.message, refusal.extensions);
    }
  });
}

/**
 * Runs the checks for the fast lane: the headers of a request that passes them all (in order), or undefined when
 * one refuses it (Fastify then answers it).
 */
export function passPreChecks(checks: readonly PreCheck[], request: IncomingMessage, principal: Principal): Array<[string, string]> | undefined {
  const headers: Array<[string, string]> = [];
  for (const check of checks) {
    const verdict = check.check(request, principal);
    if (!verdict) continue;
    if (verdict.refusal) return undefined;
    if (verdict.headers) headers.push(...verdict.headers);
  }
  return headers;
}
