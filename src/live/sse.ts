// GraphQL over Server-Sent Events (the graphql-sse protocol, "distinct connections" mode and the single-connection
// mode alike) at /graphql/stream: subscriptions only; queries and mutations go to /graphql. The caller is
// authenticated as on /graphql (same Authorization header, same anonymous-reads rule), and its principal decides
// which changes reach it (changes.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildASTSchema, execute, GraphQLError, parse, subscribe, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { AuthCode, type Principal } from '../auth/principal.js';
import type { Logger } from '../log.js';
import type { ChangeFeed, ChangeFilter } from './changes.js';

export const LIVE_PATH = '/graphql/stream';

/** A subscription document is a few lines; anything larger is not one of ours. */
const MAX_DOCUMENT_BYTES = 4_096;

export interface LiveRouteOptions {
  typeDefs: DocumentNode;
  feed: ChangeFeed;
  authenticator: Authenticator;
  anonymousReads: boolean;
  logger: Logger;
}

type LiveContext = {
  principal: Principal;
  key: string;
};

export function installLiveRoute(app: FastifyInstance, options: LiveRouteOptions): void {
  const { feed } = options;
  // The SDL with one resolver wired by hand: graphql-sse executes against a plain graphql-js schema.
  const schema = buildASTSchema(options.typeDefs);
  const changed = schema.getSubscriptionType()!.getFields().changed!;
  changed.subscribe = (_root, args: { types?: ChangeFilter['types'] | null; ids?: string[] | null }, context: LiveContext) =>
    feed.subscribe(context.principal, context.key, { types: args.types ?? undefined, ids: args.ids ?? undefined });
  const principals = new WeakMap<FastifyRequest, Principal>();

  const handler = createHandler<LiveContext>({
    schema,
    // Ours, not graphql-sse's own imports: a test runner may load graphql twice (ESM and CJS), and graphql-js refuses
    // a schema built by the other copy.
    validate,
    execute,
    subscribe,
    context: (request) => {
      const principal = principals.get(request.raw)!;
      return { principal, key: principal.kind === 'anonymous' ? `anonymous@${request.raw.ip}` : principal.id };
    },
    onSubscribe: (_request, params): ExecutionResult | void => {
      if (params.query.length > MAX_DOCUMENT_BYTES) return refusal('BAD_USER_INPUT', 'A subscription document is at most 4096 bytes.');
      let document: DocumentNode;
      try {
        document = parse(params.query);
      } catch (error) {
        return refusal('GRAPHQL_PARSE_FAILED', (error as GraphQLError).message);
      }
      const problems = validate(schema, document);
      if (problems.length > 0) return { data: null, errors: problems.map((problem) => new GraphQLError(problem.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
      const operations = document.definitions.filter((definition) => definition.kind === 'OperationDefinition');
      if (operations.length !== 1 || operations[0]!.operation !== 'subscription') {
        return refusal('BAD_REQUEST', `Only one subscription per request here; send queries and mutations to /graphql.`);
      }
    },
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: LIVE_PATH,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const found = await options.authenticator.authenticate(request.headers.authorization).catch(() => undefined);
      if (found === undefined) return reply.code(503).send({ errors: [{ message: 'The credentials cannot be verified right now: retry.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      if (found === 'invalid' || (found.kind === 'anonymous' && !options.anonymousReads)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ errors: [{ message: 'Send Authorization: Bearer <API key or token>.', extensions: { code: AuthCode.UNAUTHENTICATED } }] });
      }
      principals.set(request, found);
      try {
        await handler(request, reply);
      } catch (error) {
        options.logger.error('live: subscription handler failed', { error: String(error) });
        if (!reply.sent) reply.code(500).send();
      }
    },
  });
}

/** `data: null` marks it as a result for graphql-sse (which sends it as the stream's one event). */
function refusal(code: string, message: string): ExecutionResult {
  return { data: null, errors: [new GraphQLError(message, { extensions: { code } })] };
}
