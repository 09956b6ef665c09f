// `npm run import:io -- --model NAME --file table.csv [--description TEXT]`: loads a square CSV of technical
// coefficients (see io-csv.ts) into the database Beacon uses (DATABASE_URL, or the embedded one under DATA_DIR),
// creating the model or replacing the one of that name in one transaction. Bad input exits with code 2 and writes
// nothing; a failure of the database exits with 1.
//
// A running Beacon keeps serving what it cached of a replaced model until those entries expire: restart it (or
// change the model through the updateCoefficients mutation, which invalidates) when an import must show at once.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { IoCsvError, parseIoCsv } from './io-csv.js';
import { IoModelRepository } from './repository.js';

export const USAGE = 'usage: npm run import:io -- --model NAME --file table.csv [--description TEXT]';
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

/** Runs the import; returns the exit code (0 done, 1 database failure, 2 bad arguments, environment or table). */
export async function runImport(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: ImportIo = processIo,
): Promise<number> {
  const started = performance.now();
  let options: { model: string; file: string; description: string | undefined };
  try {
    options = readOptions(argv);
  } catch (error) {
    io.err(`import:io: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }

  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    io.err(`import:io: cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 2;
  }

  let table;
  try {
    table = parseIoCsv(text);
  } catch (error) {
    if (!(error instanceof IoCsvError)) throw error;
    const count = error.problems.length;
    io.err(`import:io: ${options.file} was not imported (${count === 1 ? '1 problem' : `${count} problems`}):\n`);
    for (const problem of error.problems) io.err(`  ${problem}\n`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`import:io: configuration error: ${error.message}\n`);
    return 2;
  }

  let database: Database | undefined;
  try {
    database = await openDatabase({ url: config.databaseUrl, poolSize: 1, dataDir: config.dataDir });
    await migrateToLatest(database.db);
    const { model, replaced } = await new IoModelRepository(database.db).replaceModel({
      name: options.model,
      description: options.description,
      descriptionIfNew: `Imported from ${path.basename(options.file)}`,
      countries: table.countries,
      sectorCodes: table.sectorCodes,
      sectorNames: table.sectorNames,
      rowIdx: table.rowIdx,
      colIdx: table.colIdx,
      values: table.values,
    });
    const size = table.countries.length * table.sectorCodes.length;
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config.dataDir}`;
    io.out(
      `${replaced ? 'replaced' : 'created'} model ${model.name}: ${table.countries.length} countries x ` +
        `${table.sectorCodes.length} sectors (${size} x ${size}), ${table.values.length} non-zero coefficients, ` +
        `largest column sum ${table.largestColumnSum.toFixed(4)}, into ${where} in ` +
        `${Math.round(performance.now() - started)} ms\n`,
    );
    return 0;
  } catch (error) {
    io.err(`import:io: the database failed, nothing was imported: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database?.close();
  }
}

function readOptions(argv: string[]): { model: string; file: string; description: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { model: { type: 'string' }, file: { type: 'string' }, description: { type: 'string' } },
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
  return { model: values.model, file: path.resolve(values.file), description: values.description };
}
