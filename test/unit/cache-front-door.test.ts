// The cache has one way in (src/cache/index.ts) and depends on nothing above it (it may use the ground floor,
// src/common/). Both are read from the import statements of src/, so a new import that breaks either rule fails
// here, naming the file and the import.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const CACHE = path.join(SRC, 'cache');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every relative module a file imports or re-exports (static and dynamic), resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
}

const relative = (file: string) => path.relative(SRC, file);

describe('the cache front door', () => {
  it('is the only cache module imported from outside src/cache', () => {
    const offending = sourceFiles(SRC)
      .filter((file) => !file.startsWith(CACHE + path.sep))
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith(CACHE + path.sep) && target !== path.join(CACHE, 'index.ts'))
          .map((target) => `${relative(file)} imports ${relative(target)}`),
      );
    expect(offending).toEqual([]);
  });

  it('keeps the cache free of GraphQL assembly, HTTP, the config module and the logging module: it imports only the ground floor', () => {
    // src/common/ imports nothing of src/ (architecture.test.ts): the one shared async context lives there.
    const groundFloor = path.join(SRC, 'common') + path.sep;
    const offending = sourceFiles(CACHE).flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith(CACHE + path.sep) && !target.startsWith(groundFloor))
        .map((target) => `${relative(file)} imports ${relative(target)}`),
    );
    expect(offending).toEqual([]);
  });

  it('sees through the imports it checks (a self-test of the scanner)', () => {
    const found = importsOf(path.join(SRC, 'app.ts')).map(relative);
    expect(found).toContain(path.join('cache', 'index.ts'));
    expect(found).toContain(path.join('http', 'server.ts'));
  });
});
