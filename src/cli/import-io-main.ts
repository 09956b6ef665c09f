// Entry of `npm run import:io`; the work (and its documentation) is in import-io.ts. When a Beacon server holds the
// embedded database, the table goes through that server instead (import-upload.ts).
import type { ImportIo } from '../assessments/import.js';
import { runImportCommand } from './import-io.js';
import { importThroughOwner } from './import-upload.js';

const io: ImportIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
const argv = process.argv.slice(2);
process.exitCode = (await importThroughOwner(argv, process.env, io)) ?? (await runImportCommand(argv, process.env, io));
