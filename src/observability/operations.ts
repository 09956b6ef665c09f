// Operation names as metric labels and window keys. They come from clients, so two rules keep them safe: a name is
// used only if it is a valid GraphQL name (else it is `(invalid)`), and at most `max` distinct names are ever used;
// any later name is folded into `(other)`, so a client sending random names cannot grow the metrics without bound.
import { Lexer, Source, TokenKind } from 'graphql';
import { LRUCache } from 'lru-cache';

export const ANONYMOUS = '(anonymous)';
export const OTHER = '(other)';
export const INVALID = '(invalid)';

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
const OPERATION_KEYWORDS = new Set(['query', 'mutation', 'subscription']);
/** Longer documents are lexed each time rather than remembered. */
const MAX_REMEMBERED_LENGTH = 10_000;

/** The bounded set of operation labels of one app. */
export class OperationLabels {
  private readonly known = new Set<string>();

  constructor(readonly max: number) {}

  /** `name` if it is known or there is room for it, else `(other)`. */
  label(name: string): string {
    if (this.known.has(name)) return name;
    if (this.known.size >= this.max) return OTHER;
    this.known.add(name);
    return name;
  }
}

/**
 * Finds the name of the operation a GraphQL request runs, cheaply enough for every request (cache hits included):
 * the `operationName` parameter when it is given, else the name of the document's only operation, found by a lexer
 * pass (remembered per document).
 */
export class OperationNamer {
  private readonly byDocument = new LRUCache<string, string>({ max: 1_000 });

  /** `params` is the POST body or the GET query string, parsed. */
  nameOf(params: unknown): string {
    if (!params || typeof params !== 'object' || Array.isArray(params)) return ANONYMOUS;
    const { operationName, query } = params as { operationName?: unknown; query?: unknown };
    if (typeof operationName === 'string' && operationName !== '') return NAME.test(operationName) ? operationName : INVALID;
    if (typeof query !== 'string') return ANONYMOUS;
    const remembered = this.byDocument.get(query);
    if (remembered !== undefined) return remembered;
    const name = soleOperationName(query);
    if (query.length <= MAX_REMEMBERED_LENGTH) this.byDocument.set(query, name);
    return name;
  }
}

/** The name of the document's only operation; `(anonymous)` when it has none, several, or does not lex. */
export function soleOperationName(document: string): string {
  // Only the top level matters: a definition starts with `query`/`mutation`/`subscription` (an operation, maybe
  // named), `fragment`, or `{` (a shorthand query). Braces and parentheses deeper down are skipped by counting.
  const names: Array<string | undefined> = [];
  try {
    const lexer = new Lexer(new Source(document));
    let depth = 0;
    let parens = 0;
    let inHeader = false;
    let expectName = false;
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (expectName) {
        expectName = false;
        if (token.kind === TokenKind.NAME) {
          names[names.length - 1] = token.value;
          continue;
        }
      }
      if (depth === 0 && parens === 0) {
        if (!inHeader && token.kind === TokenKind.NAME) {
          inHeader = true;
          if (OPERATION_KEYWORDS.has(token.value)) {
            names.push(undefined);
            expectName = true;
          }
        } else if (token.kind === TokenKind.BRACE_L) {
          if (!inHeader) names.push(undefined);
          inHeader = false;
        }
      }
      if (token.kind === TokenKind.BRACE_L) depth += 1;
      else if (token.kind === TokenKind.BRACE_R) depth -= 1;
      else if (token.kind === TokenKind.PAREN_L) parens += 1;
      else if (token.kind === TokenKind.PAREN_R) parens -= 1;
    }
  } catch {
    return ANONYMOUS;
  }
  return names.length === 1 && names[0] !== undefined ? names[0] : ANONYMOUS;
}
