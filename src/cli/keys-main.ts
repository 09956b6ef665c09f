// Entry of `npm run keys`; the work (and its documentation) is in keys.ts.
import { runKeys } from './keys.js';

process.exitCode = await runKeys(process.argv.slice(2));
