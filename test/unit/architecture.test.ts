// The floors of src/ (docs/architecture.md): imports point one way. Read from
// the source itself (TypeScript's own pre-processor lists every import, `import type` and dynamic ones included), so a
// new file that breaks a rule fails here, naming the import.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** file (relative to the repository, e.g. src/app.ts) -> the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(file), specifier)).replace(/\.js$/, '.ts'));
    graph.set(path.relative(ROOT, file), [...new Set(targets)]);
  }
  return graph;
}

/** Every import loop (Tarjan's strongly connected components of two files or more, or a file importing itself). */
function importLoops(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  let next = 0;
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || graph.get(file)!.includes(file)) loops.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return loops;
}

const graph = importGraph();
const under = (folder: string) => (file: string) => file.startsWith(`src/${folder}/`);
const DOMAINS = ['datasets', 'models', 'assessments'];

/** Every import `from` a file matching `from` `to` a file matching `to`, as "a -> b". */
function imports(from: (file: string) => boolean, to: (file: string) => boolean): string[] {
  return [...graph].flatMap(([file, targets]) => (from(file) ? targets.filter(to).map((target) => `${file} -> ${target}`) : []));
}

describe('the floors of src/', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/app.ts')).toContain('src/config.ts');
  });

  it('has no import loop outside the cache', () => {
    expect(importLoops(graph).filter((loop) => !loop.every(under('cache')))).toEqual([]);
  });

  // Enable after the other half of issue 14 (the cache's front door, src/cache/index.ts) lands: today tags.ts,
  // scope.ts and versions.ts import each other, and so do redis-connection.ts and redis-cluster.ts.
  it('has no import loop inside the cache', () => {
    expect(importLoops(graph).filter((loop) => loop.every(under('cache')))).toEqual([]);
  });

  it('config.ts and log.ts import no layer (only each other)', () => {
    const ground = (file: string) => file === 'src/config.ts' || file === 'src/log.ts';
    expect(imports(ground, (target) => !ground(target))).toEqual([]);
  });

  it('the ground floor (src/common/) imports nothing of src/ but itself', () => {
    expect(imports(under('common'), (target) => !under('common')(target))).toEqual([]);
  });

  it('storage (src/db/) knows no domain, no GraphQL, no cache, no transport', () => {
    const above = (target: string) => [...DOMAINS, 'graphql', 'cache', 'http', 'cli'].some((folder) => under(folder)(target));
    expect(imports(under('db'), above)).toEqual([]);
  });

  it('domains know no transport, no GraphQL assembly, no CLI, and no configuration module', () => {
    const domain = (file: string) => DOMAINS.some((folder) => under(folder)(file));
    const forbidden = (target: string) => ['http', 'graphql', 'cli'].some((folder) => under(folder)(target)) || target === 'src/config.ts';
    expect(imports(domain, forbidden)).toEqual([]);
  });

  it('a domain reaches another only through ctx: no import between domain folders', () => {
    const crossings = DOMAINS.flatMap((folder) =>
      imports(under(folder), (target) => DOMAINS.some((other) => other !== folder && under(other)(target))),
    );
    expect(crossings).toEqual([]);
  });

  // Enable after the other half of issue 14 (the cache's front door) lands: today app.ts, graphql/, http/, the domains
  // and observability/ import cache files directly.
  it('outside src/cache/, only src/cache/index.ts is imported from the cache', () => {
    const outside = (file: string) => !under('cache')(file);
    expect(imports(outside, (target) => under('cache')(target) && target !== 'src/cache/index.ts')).toEqual([]);
  });
});
