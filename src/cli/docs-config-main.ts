// Entry of `npm run docs:config`: writes docs/configuration.md (config-reference.ts).
import { writeFileSync } from 'node:fs';
import { CONFIGURATION_DOC, renderConfigurationReference } from './config-reference.js';

writeFileSync(CONFIGURATION_DOC, renderConfigurationReference());
process.stdout.write(`wrote ${CONFIGURATION_DOC}\n`);
