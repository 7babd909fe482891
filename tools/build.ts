import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleFile, bundleOptions, type BundleKind } from '../temporal/workflow-bundles';
import { bundleUiAssets } from '../api/ui-assets';

/**
 * The second half of `npm run build` (after tsc): what production needs beside the compiled code.
 * - dist/workflow-bundle.js and dist/workflow-bundle-traced.js: the workflows bundled once, without
 *   and with the tracing interceptors, so workers start without webpack (temporal/worker.ts loads
 *   the one its tracing setting needs; samples-typescript `production/`);
 * - dist/db/migrations: the SQL files `node dist/bin/migrate.js` applies;
 * - dist/deploy/event-types.yaml: the event-type catalogue loaded by default;
 * - dist/package.json: name and version, which the code reports;
 * - dist/ui-assets: the portal's and console's script and style (esbuild), served as files.
 */
const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

async function main(): Promise<void> {
  let size = 0;
  for (const kind of ['plain', 'traced'] as BundleKind[]) {
    const { code } = await bundleWorkflowCode({
      ...bundleOptions(kind),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
    });
    writeFileSync(bundleFile(DIST, kind), code);
    size = Math.max(size, code.length);
  }

  const migrations = path.join(DIST, 'db', 'migrations');
  mkdirSync(migrations, { recursive: true });
  for (const file of readdirSync(path.join(ROOT, 'db', 'migrations'))) copyFileSync(path.join(ROOT, 'db', 'migrations', file), path.join(migrations, file));

  mkdirSync(path.join(DIST, 'deploy'), { recursive: true });
  copyFileSync(path.join(ROOT, 'deploy', 'event-types.yaml'), path.join(DIST, 'deploy', 'event-types.yaml'));
  const ui = path.join(DIST, 'ui-assets');
  mkdirSync(ui, { recursive: true });
  for (const [file, text] of Object.entries(await bundleUiAssets())) writeFileSync(path.join(ui, file), text);

  const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  writeFileSync(path.join(DIST, 'package.json'), JSON.stringify({ name, version, private: true }, null, 2) + '\n');
  console.log(`build: dist/ (workflow bundles up to ${Math.round(size / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(`build failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
