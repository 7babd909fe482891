import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { dropDatabase } from '../db/migrate';
import { createSql } from '../db/sql';
import { findOrBuildTemporalCli } from './temporal/temporal-cli';
import { startDevServer } from './temporal/temporal-dev-server';
import { appLogin } from './testkit/app-login';
import { freePort } from './testkit/free-port';

/**
 * After `npm run build`: the compiled entry points work on their own. `node dist/bin/migrate.js`
 * applies the schema to a fresh database, and `node dist/bin/worker.js` starts a worker that loads
 * the prebuilt workflow bundle (no webpack at start). Exits non-zero otherwise.
 */
const ROOT = path.resolve(__dirname, '..');
const BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');

async function main(): Promise<void> {
  const temporal = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error' });
  const owner = `postgres://postgres@127.0.0.1:5432/hookline_build_${randomBytes(3).toString('hex')}`;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_MIGRATION_URL: owner,
    DATABASE_URL: appLogin(owner),
    TEMPORAL_ADDRESS: temporal.address,
    LOG_LEVEL: 'info',
  };
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'dist', 'bin', 'migrate.js')], { env, stdio: 'inherit' });
    const worker = spawn(process.execPath, [path.join(ROOT, 'dist', 'bin', 'worker.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: worker.stdout! });
    const seen = await new Promise<{ bundle?: string; started: boolean }>((resolve, reject) => {
      const found: { bundle?: string; started: boolean } = { started: false };
      const timer = setTimeout(() => reject(new Error('the built worker did not start within 30 s')), 30_000);
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; workflows?: string };
        if (entry.msg === 'worker starting') found.bundle = entry.workflows;
        if (/^hookline \S+ (worker started|listening on )/.test(entry.msg ?? '')) {
          found.started = true;
          clearTimeout(timer);
          resolve(found);
        }
      });
      worker.once('exit', (code) => reject(new Error(`the built worker exited with ${code}`)));
    });
    worker.kill('SIGTERM');
    if (seen.bundle !== BUNDLE) throw new Error(`the built worker loaded ${seen.bundle}, not ${BUNDLE}`);
    console.log(`check-build: node dist/bin/migrate.js and node dist/bin/worker.js work; the worker loaded ${path.relative(ROOT, BUNDLE)}`);
    // Tracing workers load the bundle with the interceptors instead (temporal/workflow-bundles.ts).
    if (!existsSync(path.join(ROOT, 'dist', 'workflow-bundle-traced.js'))) throw new Error('dist/workflow-bundle-traced.js is missing (npm run build)');
    // The portal and console are served from prebuilt files: production has no esbuild.
    for (const file of ['portal.js', 'console.js', 'app.css']) {
      if (!existsSync(path.join(ROOT, 'dist', 'ui-assets', file))) throw new Error(`dist/ui-assets/${file} is missing (npm run build)`);
    }
    console.log('check-build: dist/ui-assets holds the portal and console bundles');
  } finally {
    await temporal.stop();
    await dropDatabase(owner, (u) => createSql(u, { max: 1 })).catch(() => {});
  }
}

main().catch((err: unknown) => {
  console.error(`check-build failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
