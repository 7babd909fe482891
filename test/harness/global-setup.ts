import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleOptions, type BundleKind } from '../../temporal/workflow-bundles';
import { ensureDatabase, migrate } from '../../db/migrate';
import { createSql } from '../../db/sql';
import { loadCatalogueFile } from '../../services/event-types';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { startTemporalServer } from '../../tools/temporal/temporal-server/start';
import { freeServerPort } from '../../tools/temporal/temporal-server/ports';
import { noteServer, reapOrphanedServers } from './orphans';

/**
 * Once per `npm test`: a real Temporal dev server (or the one at TEMPORAL_ADDRESS), a fresh
 * Postgres database with the schema, and the workflow bundle every test worker reuses.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const [temporalAddress, databaseUrl, bundlePath, tracedBundlePath] = await Promise.all([startTemporal(), createDatabase(), bundleWorkflows('plain'), bundleWorkflows('traced')]);
  process.env.HOOKLINE_TEST_TEMPORAL_ADDRESS = temporalAddress;
  process.env.HOOKLINE_TEST_DATABASE_URL = databaseUrl;
  process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE_TRACED = tracedBundlePath;
  console.log(`\nhookline tests: Temporal ${temporalAddress}, Postgres ${new URL(databaseUrl).pathname.slice(1)} (${Date.now() - started} ms)`);
}

async function startTemporal(): Promise<string> {
  if (process.env.TEMPORAL_ADDRESS) return process.env.TEMPORAL_ADDRESS;
  if (process.env.HOOKLINE_TEST_ENGINE === 'postgres') return startPostgresEngine();
  const reaped = reapOrphanedServers();
  if (reaped) console.log(`hookline tests: stopped ${reaped} Temporal dev server(s) left by a run that died`);
  const binary = await findOrBuildTemporalCli();
  const server: DevServer = await startDevServer({ binary, port: await freePort(), logLevel: 'error' });
  noteServer(server.process.pid!);
  (globalThis as Record<string, unknown>).__hooklineTemporal = server;
  return server.address;
}

/** HOOKLINE_TEST_ENGINE=postgres: the real Temporal server on the local PostgreSQL, its databases dropped at teardown. */
async function startPostgresEngine(): Promise<string> {
  const prefix = `hookline_test_t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const server = await startTemporalServer({ port: await freeServerPort(), dbPrefix: prefix, dataDir: path.join(os.tmpdir(), prefix), logLevel: 'error' });
  noteServer(server.process.pid!);
  (globalThis as Record<string, unknown>).__hooklineTemporalServer = { server, prefix };
  return server.address;
}

async function createDatabase(): Promise<string> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/hookline_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = base.toString();
  await ensureDatabase(url, (u) => createSql(u, { max: 1 }));
  const sql = createSql(url, { max: 1 });
  try {
    await migrate(sql);
    await loadCatalogueFile(sql, path.join(__dirname, '../../deploy/event-types.yaml'));
  } finally {
    await sql.end();
  }
  (globalThis as Record<string, unknown>).__hooklineDatabaseUrl = url;
  return url;
}

/** Both bundles a worker may run (temporal/workflow-bundles.ts): without and with the tracing interceptors. */
async function bundleWorkflows(kind: BundleKind): Promise<string> {
  const { code } = await bundleWorkflowCode({
    ...bundleOptions(kind),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const file = path.join(os.tmpdir(), `hookline-workflows-${kind}-${process.pid}.js`);
  writeFileSync(file, code);
  return file;
}
