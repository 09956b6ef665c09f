// `npm run import:io -- --model NAME --file table.csv [--description TEXT] [--format auto|icio|coefficients]
// [--split-regions aggregate|keep]`: loads an OECD ICIO table as published (icio-csv.ts; docs/io-import.md) or a square
// CSV of technical coefficients (io-csv.ts), streamed, into the database Beacon uses (DATABASE_URL, or the embedded one under DATA_DIR),
// creating the model or replacing the one of that name in one transaction. Bad input exits with code 2 and writes
// nothing; a failure of the database exits with 1.
//
// After the commit, the import reaches the caches of running servers the way updateCoefficients does, when it runs
// with the servers' REDIS_URL and CACHE_NAMESPACE. It invalidates the model's tag (plus the model list's when the
// model is new) on their Redis clock and publishes it on their invalidation channel before it exits, and the servers
// drop the affected entries as the message arrives, as they do after a mutation on another instance (see
// cache/broadcast.ts). When Redis cannot be reached, the import still stands (exit 0), and a warning on stderr names
// the clearCache calls that finish the job. Without REDIS_URL there is nothing to reach: each server caches in its
// own process memory (L1), which another process cannot touch. Such a server keeps serving what it cached before the
// import until it expires (about an hour), unless an admin sends it clearCache(scope: TAG, value: "IoModel:NAME")
// (and "IoModel:list" for a new model) or it is restarted.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { broadcastInvalidation } from '../cache/index.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { SplitRegions } from './icio-csv.js';
import { IoCsvError, readIoTableFile } from './io-csv.js';
import { modelWriteTags } from './loaders.js';
import { IoModelRepository } from './repository.js';

export const USAGE =
  'usage: npm run import:io -- --model NAME --file table.csv [--description TEXT] [--format auto|icio|coefficients] ' +
  '[--split-regions aggregate|keep]';
const MODEL_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export interface ImportIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: ImportIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/**
 * A database that is already open, with its own invalidation: a running server importing an upload
 * (import-endpoint.ts) into the embedded database it holds, which no other process may open.
 */
export interface ImportTarget {
  database: Database;
  /** Where the data goes, for the report line. */
  where: string;
  /** The server's invalidation (as after a mutation); replaces the Redis broadcast of a standalone import. */
  invalidate(tags: readonly string[]): Promise<void>;
}

/**
 * Runs the import; returns the exit code (0 done, 1 database failure, 2 bad arguments, environment or table). A cache
 * that cannot be invalidated does not fail the import: it is reported on stderr and the code stays 0.
 * With a `target`, the import writes into that database and invalidates through it (no configuration is read).
 */
export async function runImport(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: ImportIo = processIo,
  target?: ImportTarget,
): Promise<number> {
  const started = performance.now();
  let options: ImportOptions;
  try {
    options = readOptions(argv);
  } catch (error) {
    io.err(`import:io: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }

  let table;
  try {
    table = await readIoTableFile(options.file, { format: options.format, splitRegions: options.splitRegions });
  } catch (error) {
    if (!(error instanceof IoCsvError)) {
      io.err(`import:io: cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 2;
    }
    const count = error.problems.length;
    io.err(`import:io: ${options.file} was not imported (${count === 1 ? '1 problem' : `${count} problems`}):\n`);
    for (const problem of error.problems) io.err(`  ${problem}\n`);
    return 2;
  }

  let config: Config | undefined;
  try {
    config = target ? undefined : loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`import:io: configuration error: ${error.message}\n`);
    return 2;
  }

  let database: Database | undefined;
  let imported: { name: string; created: boolean };
  try {
    database =
      target?.database ??
      (await openDatabase({
        url: config!.databaseUrl,
        poolSize: 1,
        dataDir: config!.dataDir,
        // The embedded directory stays locked while the import writes (db/data-dir-lock.ts).
        lockRole: 'import',
        onStaleLock: (message) => io.err(`import:io: ${message}\n`),
      }));
    if (!target) await migrateToLatest(database.db);
    const { model, replaced } = await new IoModelRepository(database.db).replaceModel({
      name: options.model,
      description: options.description,
      descriptionIfNew: `Imported from ${path.basename(options.file)}`,
      countries: table.countries,
      sectorCodes: table.sectorCodes,
      sectorNames: table.sectorNames,
      matrix: table.matrix,
    });
    const size = table.countries.length * table.sectorCodes.length;
    const where = target?.where ?? (config!.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config!.dataDir}`);
    io.out(
      `${replaced ? 'replaced' : 'created'} model ${model.name}: ${table.countries.length} countries x ` +
        `${table.sectorCodes.length} sectors (${size} x ${size}), ${table.matrix.nonZeroCount} non-zero coefficients, ` +
        `largest column sum ${table.largestColumnSum.toFixed(4)}, into ${where} in ` +
        `${Math.round(performance.now() - started)} ms\n`,
    );
    imported = { name: model.name, created: !replaced };
  } catch (error) {
    io.err(`import:io: the database failed, nothing was imported: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (!target) await database?.close();
  }
  if (target) await target.invalidate(modelWriteTags(imported.name, { created: imported.created }));
  else await invalidateCaches(config!, imported.name, imported.created, io);
  return 0;
}

/**
 * Invalidates, once the import has committed, what updateCoefficients would invalidate for the model (and the model
 * list when the model is new), through the cache's own path: see broadcast.ts. Fails open, saying what to do instead.
 */
async function invalidateCaches(config: Config, name: string, created: boolean, io: ImportIo): Promise<void> {
  const tags = modelWriteTags(name, { created });
  const outcome = await broadcastInvalidation(config.cache, tags);
  switch (outcome.status) {
    case 'invalidated':
      io.out(`invalidated ${tags.join(', ')} in the cache of every server on REDIS_URL (namespace ${config.cache.namespace})\n`);
      return;
    case 'unreachable': {
      const clears = tags.map((tag, k) => `${tags.length > 1 ? `c${k + 1}: ` : ''}clearCache(scope: TAG, value: "${tag}") { invalidated }`);
      io.err(
        `import:io: warning: model ${name} was ${created ? 'created' : 'replaced'}, but the cache was not invalidated: ` +
          `Redis (REDIS_URL) did not answer (${outcome.reason}).\n` +
          `  Running servers may keep serving what they cached before the import until it expires (about an hour).\n` +
          `  To drop it now, send this as an admin (Authorization: Bearer $ADMIN_TOKEN) to any one server on that Redis ` +
          `(to each server, while they cannot reach Redis either):\n` +
          `    mutation { ${clears.join(' ')} }\n`,
      );
      return;
    }
    // No Redis: no other process's cache can be reached (see the top of this file); the cache off: nothing to do.
    case 'no-redis':
    case 'cache-disabled':
      return;
  }
}

interface ImportOptions {
  model: string;
  file: string;
  description: string | undefined;
  format: 'auto' | 'icio' | 'coefficients';
  splitRegions: SplitRegions;
}

function readOptions(argv: string[]): ImportOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        file: { type: 'string' },
        description: { type: 'string' },
        format: { type: 'string', default: 'auto' },
        'split-regions': { type: 'string', default: 'aggregate' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.model === undefined) throw new UsageError('--model is required');
  if (!MODEL_NAME.test(values.model)) {
    throw new UsageError(
      `--model must start with a letter and have at most 64 letters, digits, "_", "." or "-", got ${JSON.stringify(values.model)}`,
    );
  }
  if (values.file === undefined) throw new UsageError('--file is required');
  if (values.description !== undefined && values.description.length > 1000) {
    throw new UsageError(`--description takes at most 1000 characters, got ${values.description.length}`);
  }
  const format = values.format;
  if (format !== 'auto' && format !== 'icio' && format !== 'coefficients') {
    throw new UsageError(`--format takes auto, icio or coefficients, got ${JSON.stringify(format)}`);
  }
  const splitRegions = values['split-regions'];
  if (splitRegions !== 'aggregate' && splitRegions !== 'keep') {
    throw new UsageError(`--split-regions takes aggregate (CN1+CN2 -> CHN, MX1+MX2 -> MEX) or keep, got ${JSON.stringify(splitRegions)}`);
  }
  return { model: values.model, file: path.resolve(values.file), description: values.description, format, splitRegions };
}
