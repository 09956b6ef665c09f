// The monitoring page (GET /dashboard): its HTML, script and stylesheet from web/dashboard/, and uPlot from its
// installed package, all served by Beacon itself, so the page works offline and nothing loads from a CDN.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dashboard');
const uplotDist = () => path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');

export const DASHBOARD_PATH = '/dashboard';
export const DASHBOARD_ASSET_PREFIX = '/dashboard/assets/';

interface AssetSpec {
  file: () => string;
  type: string;
}

const PAGE: AssetSpec = { file: () => path.join(WEB_DIR, 'index.html'), type: 'text/html' };

/** The files the page loads, by the name it loads them under. */
const ASSETS: Record<string, AssetSpec> = {
  'uPlot.js': { file: () => path.join(uplotDist(), 'uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.css': { file: () => path.join(uplotDist(), 'uPlot.min.css'), type: 'text/css' },
  'dashboard.js': { file: () => path.join(WEB_DIR, 'dashboard.js'), type: 'text/javascript' },
  'dashboard.css': { file: () => path.join(WEB_DIR, 'dashboard.css'), type: 'text/css' },
};

export interface DashboardFile {
  body: Buffer;
  type: string;
}

/** Reads each file once, on first request, and keeps it in memory. */
export function createDashboardFiles() {
  const loaded = new Map<AssetSpec, Promise<DashboardFile>>();
  const load = (spec: AssetSpec) => {
    let file = loaded.get(spec);
    if (!file) {
      file = readFile(spec.file()).then((body) => ({ body, type: spec.type }));
      // A failed read (a file missing from an image) is retried on the next request rather than remembered.
      file.catch(() => loaded.delete(spec));
      loaded.set(spec, file);
    }
    return file;
  };
  return {
    page: () => load(PAGE),
    asset: (name: string) => (Object.hasOwn(ASSETS, name) ? load(ASSETS[name]!) : undefined),
  };
}
