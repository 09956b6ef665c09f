// Entry of `npm run keys`; the work (and its documentation) is in keys-cli.ts.
import { runKeys } from './keys-cli.js';

process.exitCode = await runKeys(process.argv.slice(2));
