// The address a request counts under (rate limit buckets, logs). Behind a reverse proxy every request arrives from
// the proxy, so all clients would share one bucket: TRUST_PROXY names the proxies whose X-Forwarded-For is believed,
// hop by hop back from the socket, and the client is the first address that is not trusted. Unset, X-Forwarded-For
// is ignored, so a client cannot pick its own bucket by sending one.
import proxyaddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config.js';

/** Whether the hop at `address` (0 = the socket's peer) is a trusted proxy. Fastify takes the same function. */
export type TrustFunction = (address: string, hop: number) => boolean;

/** Compiles the TRUST_PROXY setting (config.ts checked that proxy-addr can read it). */
export function trustFunction(setting: TrustProxy): TrustFunction | undefined {
  if (setting === false) return undefined;
  if (setting === true) return () => true;
  return proxyaddr.compile([...setting]);
}

/** The client's address as Fastify's `request.ip` gives it, for a raw request (the fast lane runs before Fastify). */
export function clientAddress(request: IncomingMessage, trust: TrustFunction | undefined): string {
  return trust ? proxyaddr(request, trust) : (request.socket.remoteAddress ?? '');
}
