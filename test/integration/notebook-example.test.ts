// examples/notebook.py, run by python3 against a running Beacon (the test seed): its query with variables, its walk
// through modelRuns page by page, and its assessment print what the API holds. Skipped, saying why, without python3.
import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOTEBOOK = path.join(ROOT, 'examples/notebook.py');
const ADMIN_TOKEN = 'notebook-example-admin-token';

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const pythonMissing = python.status !== 0;
if (pythonMissing) console.warn(`skipping examples/notebook.py: python3 is not available (${python.error?.message ?? python.stderr})`);

interface Line {
  step: string;
  [field: string]: any;
}

async function runNotebook(env: Record<string, string>): Promise<Line[]> {
  const { stdout } = await promisify(execFile)('python3', [NOTEBOOK], { cwd: ROOT, env: { ...process.env, ...env } });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

describe.skipIf(pythonMissing)('examples/notebook.py', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ database: postgresUp ? 'postgres' : 'embedded', env: { ADMIN_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  // The test seed has 5 countries x 4 sectors (no C29): DEU's food products instead.
  const settings = (url: string) => ({ BEACON_URL: url, BEACON_DATASET: '7', BEACON_PAGE_SIZE: '3', BEACON_COUNTRY: 'DEU', BEACON_SECTOR: 'C10T12' });

  it('prints the dataset it asked for with variables, every completed run page by page, and the assessment', async () => {
    const lines = await runNotebook(settings(t.url));
    const expected = await t.gql(
      `query ($id: ID!) {
        dataset(id: $id) { name rowCount }
        modelRuns(datasetId: $id, status: COMPLETED, first: 100) { totalCount nodes { id } }
        assessment(model: "OECD_ICIO", country: "DEU", sector: "C10T12") { outputMultiplier riskLevel }
      }`,
      { id: '7' },
    );
    expect(expected.body.errors).toBeUndefined();
    const { dataset, modelRuns, assessment } = expected.body.data;

    expect(lines.map((line) => line.step)[0]).toBe('dataset');
    expect(lines[0]).toMatchObject({ id: '7', name: dataset.name, rowCount: dataset.rowCount });

    const pages = lines.filter((line) => line.step === 'runs_page');
    // More than one page, or the walk proves nothing.
    expect(modelRuns.totalCount).toBeGreaterThan(3);
    expect(pages).toHaveLength(Math.ceil(modelRuns.totalCount / 3));
    expect(pages.map((page) => page.hasNextPage)).toEqual(pages.map((_, k) => k < pages.length - 1));
    const runs = lines.find((line) => line.step === 'runs')!;
    // Every run once, in the API's order (newest first).
    expect(runs.ids).toEqual(modelRuns.nodes.map((node: { id: string }) => node.id));
    expect(runs.best?.[runs.metric]).toEqual(expect.any(Number));

    const risk = lines.find((line) => line.step === 'assessment')!;
    expect(risk).toMatchObject({ model: 'OECD_ICIO', country: 'DEU', sector: 'C10T12', riskLevel: assessment.riskLevel });
    expect(risk.outputMultiplier).toBeCloseTo(assessment.outputMultiplier, 12);
    expect(risk.topSuppliers.length).toBeGreaterThan(0);
  });

  it('sends BEACON_API_KEY as a bearer token on every request, and nothing without it', async () => {
    // A pass-through in front of the app records the Authorization header of each request.
    const seen: (string | undefined)[] = [];
    const recorder = http.createServer(async (request, response) => {
      seen.push(request.headers.authorization);
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (request.headers.authorization) headers.authorization = request.headers.authorization;
      const answer = await fetch(t.url, { method: 'POST', headers, body: Buffer.concat(chunks) });
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/graphql`;
    try {
      const lines = await runNotebook({ ...settings(url), BEACON_API_KEY: ADMIN_TOKEN });
      expect(lines.find((line) => line.step === 'assessment')?.riskLevel).toEqual(expect.any(String));
      expect(seen.length).toBeGreaterThan(3);
      expect(new Set(seen)).toEqual(new Set([`Bearer ${ADMIN_TOKEN}`]));
      seen.length = 0;
      await runNotebook(settings(url));
      expect(seen.length).toBeGreaterThan(3);
      expect(new Set(seen)).toEqual(new Set([undefined]));
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  it('stops with the API error, naming its code', async () => {
    const result = await promisify(execFile)('python3', [NOTEBOOK], {
      cwd: ROOT,
      env: { ...process.env, ...settings(t.url), BEACON_SECTOR: 'NOPE' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toMatch(/BeaconError: .*NOPE.* \((NOT_FOUND|BAD_USER_INPUT), HTTP 200\)/);
  });
});
