import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard page loads, held in memory with the headers it is served with. */
export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

/** The names under which the page asks for its files (`/` serves `index.html`). */
export type DashboardAssetName = 'index.html' | 'dashboard.js' | 'dashboard.css' | 'chart.umd.min.js';

/**
 * The page's own files live in `src/dashboard/assets/` and are not compiled: from `src/dashboard/`
 * (tests) and from `dist/dashboard/` (the built control plane) alike, the package root is two
 * levels up, so one relative path finds them in both.
 */
const assetsDirectory = fileURLToPath(new URL('../../src/dashboard/assets/', import.meta.url));

/** Chart.js's self-contained browser build, found through the package (its `exports` hide `dist/`). */
function chartJsBrowserBuild(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

const sources: Readonly<Record<DashboardAssetName, { file: () => string; contentType: string }>> = {
  'index.html': {
    file: () => path.join(assetsDirectory, 'index.html'),
    contentType: 'text/html; charset=utf-8',
  },
  'dashboard.js': {
    file: () => path.join(assetsDirectory, 'dashboard.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
  'dashboard.css': {
    file: () => path.join(assetsDirectory, 'dashboard.css'),
    contentType: 'text/css; charset=utf-8',
  },
  'chart.umd.min.js': { file: chartJsBrowserBuild, contentType: 'text/javascript; charset=utf-8' },
};

/** Reads every asset once; a missing file fails the control plane's start rather than the first page view. */
export async function loadDashboardAssets(): Promise<ReadonlyMap<DashboardAssetName, DashboardAsset>> {
  const names = Object.keys(sources) as DashboardAssetName[];
  const loaded = await Promise.all(
    names.map(async (name) => {
      const source = sources[name];
      const file = source.file();
      try {
        return [name, { body: await readFile(file), contentType: source.contentType }] as const;
      } catch (error) {
        throw new Error(
          `The dashboard file ${file} could not be read (${error instanceof Error ? error.message : String(error)}): ` +
            'the control plane needs its src/dashboard/assets folder beside dist, and chart.js installed.',
          { cause: error },
        );
      }
    }),
  );
  return new Map(loaded);
}
