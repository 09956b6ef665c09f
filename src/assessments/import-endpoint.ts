// POST /admin/import/io?model=NAME[&description=TEXT][&filename=table.csv]: `npm run import:io` done by the running
// server. The body is the CSV file itself (text/csv or application/octet-stream), streamed to a temporary file, and
// imported by the same code as the command (import.ts), into the database this server holds, followed by this
// server's own invalidation (as after updateCoefficients: its L1 at once, and every instance on its Redis).
//
// Why it exists: the embedded database (PGlite) has one owner, the process that holds its data directory's lock
// (db/data-dir-lock.ts). An import run beside a server on the embedded database cannot open the files, so the command
// sends the table here (import-upload.ts). It works on PostgreSQL too, for a client that has a file and a URL but no
// database credentials.
//
// Query parameters other than `filename` are the command's options (`model=X` is `--model=X`); `filename` names the
// upload in messages and in the default description. Answers: 200 `{ "output": "created model ..." }`; 400
// BAD_USER_INPUT with every problem of the table (nothing written); 401/403 without a credential that may import;
// 413 past MAX_UPLOAD_BYTES; 500 when the database failed (nothing written; the detail is in the server's log).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { Invalidate } from '../cache/index.js';
import type { Database } from '../db/database.js';
import { isAdminAuthorization } from '../graphql/admin.js';
import { sendEndpointError } from '../http/replies.js';
import type { Logger } from '../log.js';
import { runImport } from './import.js';

export const IMPORT_PATH = '/admin/import/io';
/** The published OECD ICIO table is about 150 MB as CSV; this leaves room for larger editions. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** Whether a request may import: 'ok', or why not. */
export type ImportAuthorization = (authorization: string | undefined) => 'ok' | 'unauthenticated' | 'forbidden' | 'unconfigured';

/**
 * Who may import: today the holder of ADMIN_TOKEN. This is the one place to accept writer API keys instead (issue 11):
 * the endpoint and the command only see its verdict.
 */
export function adminTokenAuthorization(adminToken: string | undefined): ImportAuthorization {
  return (authorization) => {
    if (!adminToken) return 'unconfigured';
    if (!authorization) return 'unauthenticated';
    return isAdminAuthorization(authorization, adminToken) ? 'ok' : 'forbidden';
  };
}

export interface ImportEndpointOptions {
  database: Database;
  invalidate: Invalidate;
  authorize: ImportAuthorization;
  /** Where the data goes, for the report line ("the embedded database in ..."). */
  where: string;
  logger: Logger;
  maxBytes?: number;
}

class TooLarge extends Error {}

export function installImportEndpoint(app: FastifyInstance, options: ImportEndpointOptions): void {
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  // Its own scope, so that its body parser (hand the stream over, unread) applies to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], (_request, payload, done) => done(null, payload));
    scope.post(IMPORT_PATH, async (request, reply) => {
      const verdict = options.authorize(request.headers.authorization);
      if (verdict !== 'ok') return refuse(reply, verdict);
      const body = request.body;
      if (!(body instanceof Readable)) {
        return sendEndpointError(reply, 415, 'BAD_REQUEST', 'Send the CSV file as the request body, with Content-Type: text/csv.');
      }
      const { args, filename, problem } = readParameters(request.query as Record<string, string | string[]>);
      if (problem) {
        body.resume();
        return sendEndpointError(reply, 400, 'BAD_USER_INPUT', problem);
      }
      const directory = await mkdtemp(path.join(tmpdir(), 'beacon-import-'));
      const file = path.join(directory, filename);
      try {
        try {
          await pipeline(body, byteLimit(maxBytes), createWriteStream(file));
        } catch (error) {
          if (error instanceof TooLarge) {
            // The rest of the body is not read: the connection closes after the answer.
            return sendEndpointError(reply.header('connection', 'close'), 413, 'PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes.`);
          }
          throw error;
        }
        let output = '';
        let errors = '';
        const io = { out: (text: string) => void (output += text), err: (text: string) => void (errors += text) };
        const code = await runImport([...args, `--file=${file}`], {}, io, {
          database: options.database,
          where: options.where,
          invalidate: options.invalidate,
        });
        // Messages name the upload as the client knows it, not this server's temporary path.
        const shown = (text: string) => text.split(file).join(filename).trim();
        if (code === 0) {
          options.logger.info('imported an input-output table through the API', { output: shown(output) });
          return reply.code(200).send({ output: shown(output) });
        }
        if (code === 2) return sendEndpointError(reply, 400, 'BAD_USER_INPUT', shown(errors).replace(/^import:io: /, ''));
        options.logger.error('an import through the API failed', { output: shown(errors) });
        return sendEndpointError(reply, 500, 'INTERNAL_SERVER_ERROR', 'The database failed; nothing was imported.');
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });
}

function refuse(reply: Parameters<typeof sendEndpointError>[0], verdict: 'unauthenticated' | 'forbidden' | 'unconfigured') {
  switch (verdict) {
    case 'unconfigured':
      return sendEndpointError(
        reply,
        403,
        'FORBIDDEN',
        'This server accepts imports from an admin only, and has no ADMIN_TOKEN: restart it with ADMIN_TOKEN set, ' +
          'or stop it and run the import on its own.',
      );
    case 'unauthenticated':
      return sendEndpointError(reply, 401, 'UNAUTHENTICATED', 'Importing needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.');
    case 'forbidden':
      return sendEndpointError(reply, 403, 'FORBIDDEN', 'This credential may not import: send Authorization: Bearer <ADMIN_TOKEN>.');
  }
}

const OPTION_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const FILENAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The command's options from the query string, and the upload's name. */
function readParameters(query: Record<string, string | string[]>): { args: string[]; filename: string; problem?: string } {
  const args: string[] = [];
  let filename = 'upload.csv';
  for (const [name, value] of Object.entries(query)) {
    if (name === 'filename') {
      const given = Array.isArray(value) ? value[0] : value;
      if (!FILENAME.test(given)) return { args, filename, problem: `filename must be a plain file name (letters, digits, ".", "_", "-"), got ${JSON.stringify(given)}` };
      filename = given;
      continue;
    }
    if (name === 'file' || !OPTION_NAME.test(name)) return { args, filename, problem: `Unknown parameter ${JSON.stringify(name)}.` };
    for (const one of Array.isArray(value) ? value : [value]) args.push(`--${name}=${one}`);
  }
  return { args, filename };
}

/** Passes bytes through, failing with TooLarge past `max`. */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(new TooLarge());
      else callback(null, chunk);
    },
  });
}
