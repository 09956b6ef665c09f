// docs/configuration.md, written from the environment schema of config.ts (ENVIRONMENT): the variables, what each
// accepts, its default and what it does. `npm run docs:config` writes it; test/unit/config-reference.test.ts fails when
// the committed file differs, so the reference cannot drift from what loadConfig checks.
import { environmentReference } from '../config.js';

export const CONFIGURATION_DOC = 'docs/configuration.md';

export function renderConfigurationReference(): string {
  const rows = environmentReference();
  const groups = [...new Set(rows.map((row) => row.group))];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Beacon reads its configuration from environment variables, every one validated at start: a bad value stops the',
    'process with a message that names the variable and shows the value (secrets excepted). A variable set to an empty',
    'string takes its default. Durations in `_SECONDS` are seconds, in `_MS` milliseconds.',
    '',
    ...groups.map((group) => `- [${group}](#${group.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')})`),
  ];
  for (const group of groups) {
    lines.push('', `## ${group}`, '', '| Variable | Default | Accepts | What it does |', '|---|---|---|---|');
    for (const row of rows.filter((candidate) => candidate.group === group)) {
      lines.push(`| \`${row.name}\` | ${cell(row.default)} | ${cell(row.accepts)} | ${cell(row.description)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
