// The principal of every /graphql request, resolved from its Authorization header by the first hook (before the rate
// limit, so that a bucket belongs to a verified principal, never to whatever token a client made up). A request whose
// credentials do not verify is answered 401 UNAUTHENTICATED here; so is an anonymous one when ANONYMOUS_READS=false.
// An invalid credential is counted against the client's address bucket: guessing keys costs as much as any request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Authentication, Authenticator } from '../auth/authenticator.js';
import { AuthCode, type Principal } from '../auth/principal.js';
import { sendGraphqlError } from './replies.js';

const principals = new WeakMap<IncomingMessage, Principal>();

/** The principal the authentication hook (or the fast lane) found for this request. */
export function principalOf(request: IncomingMessage): Principal | undefined {
  return principals.get(request);
}

export function setPrincipal(request: IncomingMessage, principal: Principal): void {
  principals.set(request, principal);
}

export interface AuthenticationOptions {
  authenticator: Authenticator;
  anonymousReads: boolean;
  /** Counts a refused credential against the client's address; false when that bucket is empty (answer 429). */
  chargeRefusal?(request: FastifyRequest, reply: FastifyReply): boolean;
}

export function installAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  // A callback hook, not an async one: the usual request (no credentials, or a credential verified within the TTL)
  // is decided synchronously and costs no extra turn of the event loop.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (request.url.split('?', 1)[0] !== '/graphql') return done();
    const authorization = request.headers.authorization;
    const known = options.authenticator.peek(authorization);
    if (known !== undefined) return decide(request, reply, known, options, done);
    options.authenticator.authenticate(authorization).then(
      (found) => decide(request, reply, found, options, done),
      // The key store (the database) cannot be reached: not the client's fault, and not a verdict (nothing cached).
      () => void sendGraphqlError(reply, 503, 'SERVICE_UNAVAILABLE', 'The credentials cannot be verified right now: retry the request.'),
    );
  });
}

function decide(request: FastifyRequest, reply: FastifyReply, found: Authentication, options: AuthenticationOptions, done: (error?: Error) => void): void {
  if (found === 'invalid') {
    if (options.chargeRefusal && !options.chargeRefusal(request, reply)) return;
    reply.header('www-authenticate', 'Bearer');
    sendGraphqlError(reply, 401, AuthCode.UNAUTHENTICATED, 'The credentials in the Authorization header are not valid (unknown, revoked, expired or malformed).');
    return;
  }
  // The GraphiQL page itself is not data: a browser asks for it without credentials, and sends them with queries.
  if (found.kind === 'anonymous' && !options.anonymousReads && !isPageRequest(request)) {
    reply.header('www-authenticate', 'Bearer');
    sendGraphqlError(reply, 401, AuthCode.UNAUTHENTICATED, 'This server does not serve anonymous requests: send Authorization: Bearer <API key or token>.');
    return;
  }
  principals.set(request.raw, found);
  done();
}

function isPageRequest(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') && !request.url.includes('?');
}
