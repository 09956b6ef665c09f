// The GraphQL examples of the documentation, read from the Markdown at test time so that the documents cannot drift
// from what the API answers. An example is a ```graphql fenced block (indented ones too, as in lists); its variables,
// when it has any, are a ```json variables block right after it (only blank lines between).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface MarkdownExample {
  /** "README.md:41": the file and the line of the opening fence. */
  where: string;
  document: string;
  variables: Record<string, unknown> | undefined;
}

const FENCE = /^(\s*)```(\S*)(?:[ \t]+(\S+))?\s*$/;

export function graphqlExamples(file: string): MarkdownExample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const name = path.basename(file);
  const examples: MarkdownExample[] = [];
  for (let k = 0; k < lines.length; k += 1) {
    const open = FENCE.exec(lines[k]);
    if (!open) continue;
    const block = readBlock(lines, k, open[1]);
    if (open[2] === 'graphql') {
      const example: MarkdownExample = { where: `${name}:${k + 1}`, document: block.text, variables: undefined };
      let next = block.end + 1;
      while (next < lines.length && lines[next].trim() === '') next += 1;
      const following = FENCE.exec(lines[next] ?? '');
      if (following && following[2] === 'json' && following[3] === 'variables') {
        const variables = readBlock(lines, next, following[1]);
        example.variables = JSON.parse(variables.text) as Record<string, unknown>;
        block.end = variables.end;
      }
      examples.push(example);
    }
    k = block.end;
  }
  return examples;
}

/** The text of the fenced block opening at `start` (indentation removed) and the line of its closing fence. */
function readBlock(lines: string[], start: number, indent: string): { text: string; end: number } {
  const body: string[] = [];
  for (let k = start + 1; k < lines.length; k += 1) {
    if (lines[k].trim() === '```') return { text: body.join('\n'), end: k };
    body.push(lines[k].startsWith(indent) ? lines[k].slice(indent.length) : lines[k]);
  }
  throw new Error(`unclosed code block at line ${start + 1}`);
}
