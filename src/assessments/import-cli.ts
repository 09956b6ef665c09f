// Entry of `npm run import:io`; the work (and its documentation) is in import.ts. When a Beacon server holds the
// embedded database, the table goes through that server instead (import-upload.ts).
import { runImport, type ImportIo } from './import.js';
import { importThroughOwner } from './import-upload.js';

const io: ImportIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
const argv = process.argv.slice(2);
process.exitCode = (await importThroughOwner(argv, process.env, io)) ?? (await runImport(argv, process.env, io));
