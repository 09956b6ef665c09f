// The import of an input-output table (`npm run import:io`, docs/io-import.md): the command's options, then an OECD
// ICIO table as published (icio-csv.ts) or a square CSV of technical coefficients (io-csv.ts), streamed, written into
// a target database, creating the model or replacing the one of that name in one transaction, then the target's
// invalidation of what the import changed. Bad input returns 2 and writes nothing; a failure of the database, 1.
//
// Where the data goes is the caller's: the command (cli/import-io.ts) opens the database the configuration names and
// broadcasts the invalidation over Redis; a running server (http/import-endpoint.ts) hands over the database it holds
// and its own invalidation. This file reads no configuration.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
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

class UsageError extends Error {}

/** Where an import writes, and how it makes the caches forget what it changed. */
export interface ImportTarget {
  /** Where the data goes, for the report line. */
  where: string;
  /** The database to write into, opened (and migrated) here if need be; a failure is a database failure (exit 1). */
  open(): Promise<Database>;
  /** Called once the import is done with the database, whatever happened. */
  release?(database: Database): Promise<void>;
  /**
   * After the commit: invalidate `tags` (the model's, and the model list's when the model is new). A cache that cannot
   * be reached does not fail the import: the target reports it on `io` itself.
   */
  invalidate(tags: readonly string[], model: { name: string; created: boolean }): Promise<void>;
}

/** Runs the import; returns the exit code (0 done, 1 database failure, 2 bad arguments or table). */
export async function runImport(argv: string[], io: ImportIo, target: ImportTarget): Promise<number> {
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

  let database: Database | undefined;
  let imported: { name: string; created: boolean };
  try {
    database = await target.open();
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
    io.out(
      `${replaced ? 'replaced' : 'created'} model ${model.name}: ${table.countries.length} countries x ` +
        `${table.sectorCodes.length} sectors (${size} x ${size}), ${table.matrix.nonZeroCount} non-zero coefficients, ` +
        `largest column sum ${table.largestColumnSum.toFixed(4)}, into ${target.where} in ` +
        `${Math.round(performance.now() - started)} ms\n`,
    );
    imported = { name: model.name, created: !replaced };
  } catch (error) {
    io.err(`import:io: the database failed, nothing was imported: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (database) await target.release?.(database);
  }
  await target.invalidate(modelWriteTags(imported.name, { created: imported.created }), imported);
  return 0;
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
