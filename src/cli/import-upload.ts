// `npm run import:io` beside a running server on the embedded database. The data directory has one owner
// (db/data-dir-lock.ts); when that owner is a live Beacon server, the command sends the table to it
// (http/import-endpoint.ts), which imports it into the database it holds and drops what its cache kept of the model.
// Otherwise the command does the import itself (import-io.ts), holding the lock while it writes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../config.js';
import type { ImportIo } from '../assessments/import.js';
import { liveOwner, lockedMessage, type LockOwner } from '../db/data-dir-lock.js';
import { IMPORT_PATH } from '../http/import-endpoint.js';

/**
 * The exit code of an import sent to the server that holds the embedded database, or undefined when no live process
 * holds it (PostgreSQL, a free directory, a stale lock): then the caller imports on its own.
 */
export async function importThroughOwner(
  argv: string[],
  env: Record<string, string | undefined>,
  io: ImportIo,
): Promise<number | undefined> {
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return undefined; // runImportCommand reports the configuration error in its words.
  }
  if (config.databaseUrl || config.dataDir.startsWith('memory://')) return undefined;
  const owner = liveOwner(config.dataDir);
  if (!owner) return undefined;
  if (owner.role !== 'server') {
    io.err(`import:io: ${lockedMessage(config.dataDir, owner)}\n`);
    return 1;
  }
  if (!owner.url) {
    io.err(
      `import:io: the embedded database in ${config.dataDir} is held by a Beacon server that is still starting ` +
        `(pid ${owner.pid}). Nothing was imported. Run the command again once it listens: the import will go through it.\n`,
    );
    return 1;
  }
  const { file, params } = splitArguments(argv);
  // What needs no server is checked here, in the command's own words.
  if (file === undefined) return undefined;
  try {
    await stat(file);
  } catch (error) {
    io.err(`import:io: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 2;
  }
  // An import is a write: a writer API key (BEACON_API_KEY), or the admin token.
  const credential = env.BEACON_API_KEY || env.ADMIN_TOKEN;
  if (!credential) {
    io.err(
      `import:io: ${describe(owner)} holds the embedded database in ${config.dataDir}, so the import must go through ` +
        `it, as a writer. Nothing was imported. Set ADMIN_TOKEN to that server's admin token (or BEACON_API_KEY to a writer key) and run the command ` +
        `again (or stop the server, import, and start it again).\n`,
    );
    return 2;
  }
  return upload(owner, file, params, credential, io);
}

async function upload(owner: LockOwner, file: string, params: URLSearchParams, credential: string, io: ImportIo): Promise<number> {
  params.set('filename', path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '') || 'upload.csv');
  const target = new URL(`${IMPORT_PATH}?${params}`, owner.url!);
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${credential}` },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    io.err(
      `import:io: ${describe(owner)} holds the embedded database but did not answer (${causeOf(error)}). Nothing was ` +
        `imported. If it is stuck, stop it (kill ${owner.pid}) and run the command again.\n`,
    );
    return 1;
  }
  const text = await response.text();
  let body: { output?: string; errors?: { message: string }[] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below with the status.
  }
  if (response.ok && typeof body.output === 'string') {
    io.out(`${body.output}\n`);
    io.out(`(through ${describe(owner)}, which holds the embedded database)\n`);
    return 0;
  }
  const message = body.errors?.[0]?.message ?? `HTTP ${response.status}`;
  io.err(`import:io: ${describe(owner)} refused the import (HTTP ${response.status}): ${message}\n`);
  // 400: the table or the options (nothing written); 401/403/413: the request; others: the server or its database.
  return response.status >= 400 && response.status < 500 ? 2 : 1;
}

function describe(owner: LockOwner): string {
  return `the Beacon server at ${owner.url} (pid ${owner.pid})`;
}

/**
 * `--file` (its path), and every other option as a query parameter of the endpoint, which hands them back to the
 * same parser: `--model X` and `--model=X` become `model=X`.
 */
function splitArguments(argv: string[]): { file: string | undefined; params: URLSearchParams } {
  const params = new URLSearchParams();
  let file: string | undefined;
  for (let k = 0; k < argv.length; k += 1) {
    const token = argv[k];
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    if (!match) {
      params.append('positional', token); // refused by the server's parser, as by the command's
      continue;
    }
    const [, name, inline] = match;
    const value = inline ?? (k + 1 < argv.length && !argv[k + 1].startsWith('--') ? argv[++k] : '');
    if (name === 'file') file = path.resolve(value);
    else params.append(name, value);
  }
  return { file, params };
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
