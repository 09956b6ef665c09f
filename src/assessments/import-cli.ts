// Entry of `npm run import:io`; the work (and its documentation) is in import.ts.
import { runImport } from './import.js';

process.exitCode = await runImport(process.argv.slice(2));
