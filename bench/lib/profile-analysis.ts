// Reads a V8 .cpuprofile (node --cpu-prof) and summarizes a time window of it: self time by function, inclusive time
// of the project's own functions, and time by area (Node internals, Fastify, Apollo, graphql-js, Beacon's modules...).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  area: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  self: Row[];
  inclusive: Row[];
  areas: Row[];
}

/** Where a frame's code lives, for the per-area totals. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return 'native';
  }
  const rules: Array<[RegExp, string]> = [
    [/\/src\/cache\//, 'Beacon: cache'],
    [/\/src\/http\//, 'Beacon: http'],
    [/\/src\/observability\//, 'Beacon: observability'],
    [/\/src\/graphql\/limits\//, 'Beacon: limits'],
    [/\/src\/log\.ts/, 'Beacon: log'],
    [/\/src\//, 'Beacon: other'],
    [/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|toad-cache|process-warning|abstract-logging)\//, 'Fastify'],
    [/node_modules\/@apollo\//, 'Apollo'],
    [/node_modules\/graphql\//, 'graphql-js'],
    [/node_modules\/lru-cache\//, 'lru-cache'],
    [/node_modules\/(@redis|redis|@keyv|keyv)\//, 'Redis client'],
    [/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//, 'pino'],
    [/node_modules\/(prom-client|tdigest|bintrees)\//, 'prom-client'],
    [/node_modules\/(pg|pg-pool|pg-protocol|kysely)\//, 'pg/kysely'],
    [/node_modules\/negotiator\//, 'negotiator'],
    [/node_modules\/(tsx|esbuild|get-tsconfig)\//, 'tsx (loader)'],
    [/node_modules\//, 'other packages'],
    [/^node:/, 'Node core'],
  ];
  for (const [pattern, area] of rules) if (pattern.test(url)) return area;
  return 'other';
}

function label(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

/**
 * Summarizes the samples taken between `fromEndUs + durationUs` and `fromEndUs` before the profile's end: the load
 * phase of a run, without the start-up (module loading, priming) before it or the shutdown after it.
 */
export function summarize(file: string, window?: { durationUs: number; fromEndUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const to = profile.endTime - (window?.fromEndUs ?? 0);
  const from = window ? to - window.durationUs : profile.startTime;
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  let windowUs = 0;
  for (let k = 0; k < profile.samples.length; k++) {
    time += profile.timeDeltas[k] ?? 0;
    if (time < from || time > to) continue;
    const delta = profile.timeDeltas[k + 1] ?? 0;
    windowUs += delta;
    const id = profile.samples[k]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const selfByLabel = new Map<string, { area: string; us: number }>();
  const areaUs = new Map<string, number>();
  const inclusiveByLabel = new Map<string, { area: string; us: number }>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = label(node.callFrame);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    const row = selfByLabel.get(name) ?? { area, us: 0 };
    row.us += us;
    selfByLabel.set(name, row);
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
    // Inclusive: every distinct function on the stack of this sample gets its time once (recursion counted once).
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      const frameName = label(frame);
      if (seen.has(frameName)) continue;
      seen.add(frameName);
      const inclusive = inclusiveByLabel.get(frameName) ?? { area: areaOf(frame.url, frame.functionName), us: 0 };
      inclusive.us += us;
      inclusiveByLabel.set(frameName, inclusive);
    }
  }
  const idleUs = areaUs.get('idle') ?? 0;
  const busyUs = windowUs - idleUs;
  const rows = (map: Map<string, { area: string; us: number }>) =>
    [...map]
      .map(([name, { area, us }]) => ({ name, area, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return {
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    self: rows(selfByLabel).filter((row) => row.area !== 'idle'),
    inclusive: rows(inclusiveByLabel).filter((row) => row.area.startsWith('Beacon') || row.area === 'Fastify' || row.area === 'Apollo'),
    areas: [...areaUs]
      .filter(([area]) => area !== 'idle')
      .map(([area, us]) => ({ name: area, area, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
      .sort((a, b) => b.ms - a.ms),
  };
}

export function formatSummary(summary: ProfileSummary, top = 30): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [`window ${summary.windowMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms (shares below are of busy time)`, '', 'by area:'];
  for (const row of summary.areas) lines.push(`  ${pct(row.share)}  ${row.name}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const row of summary.self.slice(0, top)) lines.push(`  ${pct(row.share)}  ${row.name}  [${row.area}]`);
  lines.push('', `top ${top} Beacon / Fastify / Apollo functions by inclusive time:`);
  for (const row of summary.inclusive.slice(0, top)) lines.push(`  ${pct(row.share)}  ${row.name}  [${row.area}]`);
  return lines.join('\n');
}
