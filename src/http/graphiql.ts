// GraphiQL served by Beacon itself: the page and its scripts come from installed packages, so it works offline
// and nothing loads from a CDN.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** The files the page loads, by the name it loads them under. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.js': { file: () => path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': {
    file: () => path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.js': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

export interface Asset {
  body: Buffer;
  type: string;
}

/** Reads each asset once, on first request, and keeps it in memory. */
export function createAssetStore() {
  const loaded = new Map<string, Promise<Asset>>();
  return {
    get(name: string): Promise<Asset> | undefined {
      const spec = ASSETS[name];
      if (!spec) return undefined;
      let asset = loaded.get(name);
      if (!asset) {
        asset = readFile(spec.file()).then((body) => ({ body, type: spec.type }));
        loaded.set(name, asset);
      }
      return asset;
    },
  };
}

export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Beacon · GraphiQL</title>
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${GRAPHIQL_ASSET_PREFIX}react.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react-dom.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
    const defaultQuery = ${JSON.stringify(DEFAULT_QUERY)};
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
    );
  </script>
</body>
</html>`;
}

const DEFAULT_QUERY = `# Welcome to Beacon. Press the run button (or Ctrl-Enter) to try a query.
query Dashboard {
  health { ok version }
  categories { name datasetCount }
  topUpdatedDatasets(limit: 5) { id name category updatedAt }
}
`;
