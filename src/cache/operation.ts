// Reads a GraphQL-over-HTTP request just far enough to key it, without parsing: the query text normalized by
// stripIgnoredCharacters (a lexer pass), the chosen operation's type found by a second lexer pass, the operation
// name and the variables. Anything unusual (a batch, bad JSON, a lexer error) returns undefined: Apollo then
// handles the request as if there were no cache, and reports the problem in its own words.
import { Lexer, Source, TokenKind, stripIgnoredCharacters } from 'graphql';
import { LRUCache } from 'lru-cache';
import { hashParts } from './keys.js';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** What an operation is read from: a GraphQL-over-HTTP request's method, parsed query string and body. */
export interface OperationSource {
  method: string;
  /** The parsed query string. */
  query: Record<string, unknown>;
  body: unknown;
}

export interface OperationRequest {
  /** The stripped document, or `apq:<hash>` for a persisted query sent by hash alone. */
  document: string;
  /** Identifies document + operation name (for what was learned about it, e.g. that it is PRIVATE). */
  documentId: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  type: OperationType;
}

interface LexedDocument {
  stripped: string;
  operations: { type: OperationType; name: string | undefined }[];
}

const MAX_REMEMBERED_DOCUMENTS = 2_000;
/** Documents larger than this are lexed every time rather than remembered. */
const MAX_REMEMBERED_LENGTH = 20_000;

export class OperationReader {
  // The same dashboards send the same few documents over and over: lex each once.
  private readonly lexed = new LRUCache<string, LexedDocument>({ max: MAX_REMEMBERED_DOCUMENTS });
  /** Persisted-query hash -> document, learned when a client sends both (as APQ clients do on a miss). */
  private readonly persisted = new LRUCache<string, LexedDocument>({ max: MAX_REMEMBERED_DOCUMENTS });

  read(request: OperationSource): OperationRequest | undefined {
    const params = request.method === 'GET' ? fromQueryString(request.query) : fromBody(request.body);
    if (!params) return undefined;
    const { query, operationName, variables, persistedHash } = params;
    let lexed: LexedDocument | undefined;
    if (typeof query === 'string') {
      lexed = this.lex(query);
      if (lexed && persistedHash) this.persisted.set(persistedHash, lexed);
    } else if (persistedHash) {
      lexed = this.persisted.get(persistedHash);
    }
    if (!lexed) return undefined;
    const operation =
      operationName === undefined
        ? lexed.operations.length === 1
          ? lexed.operations[0]
          : undefined
        : lexed.operations.find((candidate) => candidate.name === operationName);
    if (!operation) return undefined;
    const document = typeof query === 'string' ? lexed.stripped : `apq:${persistedHash}`;
    // The operation's own name, whether or not the client sent operationName: both select the same operation.
    return {
      document,
      documentId: hashParts(['d1', lexed.stripped, operation.name ?? '']),
      operationName: operation.name,
      variables,
      type: operation.type,
    };
  }

  /**
   * A persisted query's document learned elsewhere (the shared APQ store, registered through another instance), so
   * that requests sending its hash alone are keyed, and cached, here too. Apollo checked the hash on registration.
   */
  learnPersisted(hash: string, query: string): void {
    const lexed = this.lex(query);
    if (lexed) this.persisted.set(hash, lexed);
  }

  private lex(query: string): LexedDocument | undefined {
    const remembered = this.lexed.get(query);
    if (remembered) return remembered;
    let lexed: LexedDocument;
    try {
      lexed = { stripped: stripIgnoredCharacters(query), operations: operationsOf(query) };
    } catch {
      return undefined;
    }
    if (query.length <= MAX_REMEMBERED_LENGTH) this.lexed.set(query, lexed);
    return lexed;
  }
}

interface Params {
  query: unknown;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  persistedHash: string | undefined;
}

function fromBody(body: unknown): Params | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  return params(query, operationName, variables, extensions);
}

function fromQueryString(search: Record<string, unknown>): Params | undefined {
  try {
    const json = (value: unknown) => (typeof value === 'string' && value !== '' ? JSON.parse(value) : undefined);
    return params(search.query, search.operationName, json(search.variables), json(search.extensions));
  } catch {
    return undefined;
  }
}

function params(query: unknown, operationName: unknown, variables: unknown, extensions: unknown): Params | undefined {
  if (query !== undefined && typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  const persistedHash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
    persistedHash,
  };
}

/**
 * The operations a document defines, by a lexer pass: at brace depth 0 (outside parentheses, where default values
 * may hold braces), `query|mutation|subscription [Name]` starts an operation, `fragment` a fragment, and a bare `{`
 * the anonymous query shorthand.
 */
export function operationsOf(query: string): { type: OperationType; name: string | undefined }[] {
  const lexer = new Lexer(new Source(query));
  const operations: { type: OperationType; name: string | undefined }[] = [];
  let depth = 0;
  let parens = 0;
  let inHeader = false;
  let awaitingName: { type: OperationType; name: string | undefined } | undefined;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (awaitingName) {
      if (token.kind === TokenKind.NAME) awaitingName.name = token.value;
      awaitingName = undefined;
    }
    if (token.kind === TokenKind.PAREN_L) parens += 1;
    else if (token.kind === TokenKind.PAREN_R) parens -= 1;
    if (parens > 0) continue;
    if (token.kind === TokenKind.BRACE_L) {
      if (depth === 0 && !inHeader) operations.push({ type: 'query', name: undefined });
      inHeader = false;
      depth += 1;
    } else if (token.kind === TokenKind.BRACE_R) {
      depth -= 1;
    } else if (depth === 0 && token.kind === TokenKind.NAME && !inHeader) {
      if (token.value === 'query' || token.value === 'mutation' || token.value === 'subscription') {
        const operation: { type: OperationType; name: string | undefined } = { type: token.value, name: undefined };
        operations.push(operation);
        awaitingName = operation;
        inHeader = true;
      } else {
        // `fragment`, or a type-system definition: not an operation; its braces come next.
        inHeader = true;
      }
    }
  }
  return operations;
}
