import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The portal's and console's script and style. `npm run build` writes them to dist/ui-assets/
 * (tools/build.ts), which production serves as files; from source (npm run dev, the tests) they are
 * bundled from ui/ by esbuild in memory, once per process, on first request. Nothing is fetched
 * from elsewhere: no CDN, no web font.
 */
export type UiAssets = Record<'portal.js' | 'console.js' | 'app.css', string>;

const PREBUILT = path.join(__dirname, '..', 'ui-assets');
const SOURCES = path.join(__dirname, '..', 'ui');
const NAMES = ['portal.js', 'console.js', 'app.css'] as const;

let loading: Promise<UiAssets> | undefined;

export function loadUiAssets(): Promise<UiAssets> {
  loading ??= (existsSync(path.join(PREBUILT, 'portal.js')) ? readPrebuilt() : bundleUiAssets()).catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function readPrebuilt(): Promise<UiAssets> {
  return Object.fromEntries(NAMES.map((name) => [name, readFileSync(path.join(PREBUILT, name), 'utf8')])) as UiAssets;
}

/** Bundles ui/ (plain TypeScript, no framework) with esbuild, a build-time dependency. */
export async function bundleUiAssets(): Promise<UiAssets> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundle = async (entry: string) => {
    const out = await esbuild.build({
      entryPoints: [path.join(SOURCES, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      target: ['es2020'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    return out.outputFiles[0]!.text;
  };
  const [portal, consoleJs] = await Promise.all([bundle('portal/main.ts'), bundle('console/main.ts')]);
  return { 'portal.js': portal, 'console.js': consoleJs, 'app.css': readFileSync(path.join(SOURCES, 'app.css'), 'utf8') };
}
