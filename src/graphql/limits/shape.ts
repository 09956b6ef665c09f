// The shape of an operation, measured before Apollo validates or executes it: tokens, depth, aliases, directives
// and the number of fields once every fragment is expanded. Fragments are measured once each and multiplied where
// they are spread, so a document of nested fragments whose expansion is astronomically large is measured in time
// linear in its text (the expansion itself is never built). This is what keeps a 2 KB fragment bomb cheap to reject.
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface Shape {
  /** Deepest nesting of fields (a root field is depth 1); fields under __schema/__type do not count. */
  depth: number;
  /** Fields selected once every fragment is expanded (each spread counts its fragment again). */
  fields: number;
  /** Aliased fields, fragments expanded. */
  aliases: number;
  /** Directives on fields, fragments and operations, fragments expanded. */
  directives: number;
  /** The most directives on any one field, fragment spread, inline fragment or definition. */
  directivesOnOneNode: number;
  /** Whether any field is __schema or __type. */
  introspection: boolean;
}

const EMPTY: Shape = { depth: 0, fields: 0, aliases: 0, directives: 0, directivesOnOneNode: 0, introspection: false };
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/**
 * Counts the tokens of a document the way graphql's parser does (comments excluded), stopping once `stopAfter`
 * tokens have been seen. Returns undefined when the text does not lex: the parser will report that, better.
 */
export function countTokens(source: string, stopAfter: number): number | undefined {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count >= stopAfter) break;
    }
  } catch {
    return undefined;
  }
  return count;
}

/** Thrown when fragments spread each other in a cycle (validation would reject it; we must not loop on it). */
export class FragmentCycleError extends GraphQLError {
  constructor(readonly cycle: string[]) {
    super(`Fragment cycle: ${cycle.join(' -> ')}. Fragments must not spread themselves.`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
    });
  }
}

/**
 * The largest shape among the document's operations and fragment definitions (unused fragments are validated
 * too, so they are measured too). Throws FragmentCycleError on a cycle.
 */
export function measureDocument(document: DocumentNode): Shape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, Shape>();
  const inProgress: string[] = [];

  const measureFragment = (name: string): Shape => {
    const known = measured.get(name);
    if (known) return known;
    const start = inProgress.indexOf(name);
    if (start !== -1) throw new FragmentCycleError([...inProgress.slice(start), name]);
    const definition = fragments.get(name);
    // An unknown fragment adds nothing here; validation reports it.
    if (!definition) return EMPTY;
    inProgress.push(name);
    const own = definition.directives?.length ?? 0;
    let shape = withDirectives(measureSet(definition.selectionSet), own);
    // A fragment on an introspection type (__Type, __Field, ...) is part of an introspection query: no depth.
    if (definition.typeCondition.name.value.startsWith('__')) shape = { ...shape, depth: 0 };
    inProgress.pop();
    measured.set(name, shape);
    return shape;
  };

  const measureSet = (set: SelectionSetNode): Shape => {
    let depth = 0;
    let fields = 0;
    let aliases = 0;
    let directives = 0;
    let directivesOnOneNode = 0;
    let introspection = false;
    for (const selection of set.selections) {
      const own = selection.directives?.length ?? 0;
      directives += own;
      directivesOnOneNode = Math.max(directivesOnOneNode, own);
      let child: Shape;
      if (selection.kind === Kind.FIELD) {
        child = selection.selectionSet ? measureSet(selection.selectionSet) : EMPTY;
        const isIntrospection = INTROSPECTION_FIELDS.has(selection.name.value);
        // Introspection queries (GraphiQL's, codegen's) nest type references deeply by design: depth ignores them.
        depth = Math.max(depth, isIntrospection ? 0 : 1 + child.depth);
        fields += 1;
        if (selection.alias) aliases += 1;
        introspection ||= isIntrospection;
      } else {
        child = selection.kind === Kind.FRAGMENT_SPREAD ? measureFragment(selection.name.value) : measureSet(selection.selectionSet);
        depth = Math.max(depth, child.depth);
      }
      fields += child.fields;
      aliases += child.aliases;
      directives += child.directives;
      directivesOnOneNode = Math.max(directivesOnOneNode, child.directivesOnOneNode);
      introspection ||= child.introspection;
    }
    return { depth, fields, aliases, directives, directivesOnOneNode, introspection };
  };

  let largest = EMPTY;
  for (const definition of document.definitions) {
    let shape: Shape | undefined;
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      shape = withDirectives(measureSet(definition.selectionSet), definition.directives?.length ?? 0);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      shape = measureFragment(definition.name.value);
    }
    if (shape) largest = max(largest, shape);
  }
  return largest;
}

function withDirectives(shape: Shape, own: number): Shape {
  if (own === 0) return shape;
  return {
    ...shape,
    directives: shape.directives + own,
    directivesOnOneNode: Math.max(shape.directivesOnOneNode, own),
  };
}

function max(a: Shape, b: Shape): Shape {
  return {
    depth: Math.max(a.depth, b.depth),
    fields: Math.max(a.fields, b.fields),
    aliases: Math.max(a.aliases, b.aliases),
    directives: Math.max(a.directives, b.directives),
    directivesOnOneNode: Math.max(a.directivesOnOneNode, b.directivesOnOneNode),
    introspection: a.introspection || b.introspection,
  };
}
