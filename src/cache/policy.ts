// The TTLs in force, read from the SDL's @cacheControl hints (the schema is the contract): the table cacheStats
// shows, the TTL of each expensive field's entries, and which root fields carry a hint at all.
import { Kind, type DocumentNode, type FieldDefinitionNode, type TypeNode } from 'graphql';

/** Apollo's @cacheControl(scope:): PUBLIC data is shared by every caller of a visibility, PRIVATE per session. */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
  inheritMaxAge?: boolean;
}

export interface TtlRow {
  /** `Type` or `Type.field`. */
  coordinate: string;
  maxAgeSeconds: number | null;
  scope: CacheScope;
  inheritMaxAge: boolean;
}

/** A field cached through ctx.fieldCache whose name the schema does not know gets this TTL. */
export const DEFAULT_FIELD_TTL_SECONDS = 300;

export class CachePolicy {
  private readonly typeHints = new Map<string, CacheHint>();
  private readonly fieldHints = new Map<string, CacheHint>();
  /** `Type.field` -> the named type it returns. */
  private readonly returnTypes = new Map<string, string>();
  private readonly fieldTtlByName = new Map<string, number>();

  constructor(typeDefs: DocumentNode) {
    for (const definition of typeDefs.definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
        definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
        definition.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
        definition.kind !== Kind.UNION_TYPE_DEFINITION
      ) {
        continue;
      }
      const typeName = definition.name.value;
      const typeHint = hintOf(definition.directives);
      if (typeHint) this.typeHints.set(typeName, typeHint);
      if (!('fields' in definition) || !definition.fields) continue;
      for (const field of definition.fields as readonly FieldDefinitionNode[]) {
        const coordinate = `${typeName}.${field.name.value}`;
        this.returnTypes.set(coordinate, namedType(field.type));
        const fieldHint = hintOf(field.directives);
        if (fieldHint) this.fieldHints.set(coordinate, fieldHint);
      }
    }
    for (const coordinate of this.returnTypes.keys()) {
      const maxAge = this.effectiveHint(coordinate)?.maxAge;
      if (maxAge === undefined) continue;
      const name = coordinate.slice(coordinate.indexOf('.') + 1);
      this.fieldTtlByName.set(name, Math.min(maxAge, this.fieldTtlByName.get(name) ?? Infinity));
    }
  }

  /** The hint that applies to a field: its own maxAge, else its return type's (Apollo's rule). */
  effectiveHint(coordinate: string): CacheHint | undefined {
    const own = this.fieldHints.get(coordinate);
    if (own?.maxAge !== undefined) return own;
    const returned = this.typeHints.get(this.returnTypes.get(coordinate) ?? '');
    if (returned?.maxAge !== undefined) return { ...returned, scope: own?.scope ?? returned.scope };
    return own;
  }

  /** Whether a root field says how long its answer may be cached (unhinted root fields are never cached). */
  rootFieldHinted(rootType: string, field: string): boolean {
    return this.effectiveHint(`${rootType}.${field}`)?.maxAge !== undefined;
  }

  /**
   * TTL of a field-cache entry: `name` is a coordinate (`Dataset.quality`) or a field name (`assessment`, the
   * smallest hint among fields of that name).
   */
  fieldTtlSeconds(name: string): number {
    if (name.includes('.')) {
      const maxAge = this.effectiveHint(name)?.maxAge;
      if (maxAge !== undefined) return maxAge;
      name = name.slice(name.indexOf('.') + 1);
    }
    return this.fieldTtlByName.get(name) ?? DEFAULT_FIELD_TTL_SECONDS;
  }

  /** Every hint in the schema, types first. */
  table(): TtlRow[] {
    const row = (coordinate: string, hint: CacheHint): TtlRow => ({
      coordinate,
      maxAgeSeconds: hint.maxAge ?? null,
      scope: hint.scope ?? 'PUBLIC',
      inheritMaxAge: hint.inheritMaxAge ?? false,
    });
    return [
      ...[...this.typeHints].map(([name, hint]) => row(name, hint)).sort(byCoordinate),
      ...[...this.fieldHints].map(([name, hint]) => row(name, hint)).sort(byCoordinate),
    ];
  }
}

function byCoordinate(a: TtlRow, b: TtlRow): number {
  return a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function hintOf(directives: readonly { name: { value: string }; arguments?: readonly any[] }[] | undefined): CacheHint | undefined {
  const directive = directives?.find((item) => item.name.value === 'cacheControl');
  if (!directive) return undefined;
  const hint: CacheHint = {};
  for (const argument of directive.arguments ?? []) {
    const { value } = argument;
    if (argument.name.value === 'maxAge' && value.kind === Kind.INT) hint.maxAge = Number(value.value);
    if (argument.name.value === 'scope' && value.kind === Kind.ENUM) hint.scope = value.value as CacheScope;
    if (argument.name.value === 'inheritMaxAge' && value.kind === Kind.BOOLEAN) hint.inheritMaxAge = value.value;
  }
  return hint;
}
