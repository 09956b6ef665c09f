// POST /admin/import/io?model=NAME[&description=TEXT][&filename=table.csv]: `npm run import:io` done by the running
// server. The body is the CSV file itself (text/csv or application/octet-stream), streamed to a temporary file, and
// imported by the same code as the command (assessments/import.ts, handed in by app.ts as `runImport`), into the
// database this server holds, followed by this server's own invalidation (as after updateCoefficients: its L1 at once, and every instance on its Redis).
//
// Why it exists: the embedded database (PGlite) has one owner, the process that holds its data directory's lock
// (db/data-dir-lock.ts). An import run beside a server on the embedded database cannot open the files, so the command
// sends the table here (cli/import-upload.ts). It works on PostgreSQL too, for a client that has a file and a URL but no
// database credentials.
//
// Query parameters other than `filename` are the command's options (`model=X` is `--model=X`); `filename` names the
// upload in messages and in the default description. Answers: 200 `{ "output": "created model ..." }`; 400
// BAD_USER_INPUT with every problem of the table (nothing written); 401 without valid credentials, 403 with a role
// below writer (an import is a write: docs/security.md);
// 413 past MAX_UPLOAD_BYTES; 500 when the database failed (nothing written; the detail is in the server's log).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { hasRole } from '../auth/principal.js';
import type { Logger } from '../log.js';
import { sendEndpointError } from './replies.js';

export const IMPORT_PATH = '/admin/import/io';
/** The published OECD ICIO table is about 150 MB as CSV; this leaves room for larger editions. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** Whether a request may import: 'ok', or why not. */
export type ImportAuthorization = (authorization: string | undefined) => Promise<'ok' | 'unauthenticated' | 'forbidden'>;

/**
 * Who may import: a writer, as for every write (an API key or JWT with the writer or admin role, or ADMIN_TOKEN),
 * verified by the same authenticator as /graphql requests. The endpoint and the command only see its verdict.
 */
export function writerAuthorization(authenticator: Authenticator): ImportAuthorization {
  return async (authorization) => {
    const found = await authenticator.authenticate(authorization);
    if (found === 'invalid' || found.role === null) return 'unauthenticated';
    return hasRole(found, 'writer') ? 'ok' : 'forbidden';
  };
}

/** What the command prints, collected. */
export interface ImportOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The import itself, with the command's arguments (`--file` last): the exit code of `npm run import:io` (0 done,
 * 2 bad input, else a database failure), its output written to `io`. app.ts binds it to this server's database
 * and invalidation; this file knows no domain.
 */
export type RunImport = (argv: string[], io: ImportOutput) => Promise<number>;

export interface ImportEndpointOptions {
  runImport: RunImport;
  authorize: ImportAuthorization;
  logger: Logger;
  maxBytes?: number;
  /** Called with the model's name after an import: the server prepares the table (and starts a large model's LU). */
  afterImport?: (model: string) => void;
}

class TooLarge extends Error {}

export function installImportEndpoint(app: FastifyInstance, options: ImportEndpointOptions): void {
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  // Its own scope, so that its body parser (hand the stream over, unread) applies to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], (_request, payload, done) => done(null, payload));
    scope.post(IMPORT_PATH, async (request, reply) => {
      const verdict = await options.authorize(request.headers.authorization);
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
        const code = await options.runImport([...args, `--file=${file}`], io);
        // Messages name the upload as the client knows it, not this server's temporary path.
        const shown = (text: string) => text.split(file).join(filename).trim();
        if (code === 0) {
          options.logger.info('imported an input-output table through the API', { output: shown(output) });
          const model = args.find((arg) => arg.startsWith('--model='))?.slice('--model='.length);
          if (model) options.afterImport?.(model);
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

function refuse(reply: Parameters<typeof sendEndpointError>[0], verdict: 'unauthenticated' | 'forbidden') {
  if (verdict === 'unauthenticated') {
    reply.header('www-authenticate', 'Bearer');
    return sendEndpointError(reply, 401, 'UNAUTHENTICATED', 'Importing needs valid writer credentials: send Authorization: Bearer <writer API key or ADMIN_TOKEN>.');
  }
  return sendEndpointError(reply, 403, 'FORBIDDEN', 'Importing needs the writer role; this credential has a smaller one.');
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
