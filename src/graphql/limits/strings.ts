// NUL (U+0000) in input strings. GraphQL allows it; PostgreSQL stores neither it in text nor \u0000 in jsonb, so a
// NUL that reaches a query fails there with a driver error (masked, but reported as a server fault). Refused at
// the edge instead, as the client's mistake it is.
import { visit, type DocumentNode } from 'graphql';

/** Whether any string literal in the document contains NUL. */
export function documentHasNul(document: DocumentNode): boolean {
  const checked = checkedDocuments.get(document);
  if (checked !== undefined) return checked;
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\0')) found = true;
    },
  });
  checkedDocuments.set(document, found);
  return found;
}
const checkedDocuments = new WeakMap<DocumentNode, boolean>();

/** The path of the first string (key or value) containing NUL in the variables, or undefined. */
export function nulInVariables(variables: Record<string, unknown> | undefined): string | undefined {
  if (!variables) return undefined;
  // Iterative: variables come from the client, and JSON nests as deep as the body allows.
  const stack: Array<[unknown, string]> = [[variables, '$']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\0')) return path;
        stack.push([item, path === '$' ? `$${key}` : `${path}.${key}`]);
      }
    }
  }
  return undefined;
}
