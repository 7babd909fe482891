import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { loadConfigOrExit } from '../infra/config';
import { ensureDatabase, migrate } from '../db/migrate';
import { createSql } from '../db/sql';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { runHookline } from '../bin/run';
import { HooklineApiError, HooklineClient } from '../api/client';
import { findOrBuildTemporalCli } from './temporal/temporal-cli';
import { startDevServer, waitForTemporal, type DevServer } from './temporal/temporal-dev-server';

/**
 * `npm run dev`: the whole stack on one machine with no setup. A Temporal dev server (with its
 * Web UI) unless TEMPORAL_ADDRESS is set, the local Postgres unless DATABASE_URL is set (an
 * embedded PGlite when none answers on 5432), migrations, then the worker and the API in this process. Ctrl-C stops all of it.
 */
const DATA_DIR = path.resolve(__dirname, '..', '.data');
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/hookline';
// The login the migrations create: the app runs under row-level security even on a developer's machine.
const LOCAL_APP_LOGIN = 'postgres://hookline_app@127.0.0.1:5432/hookline';
const DEMO_TENANT = 'demo';

function devSecrets(): { adminToken: string; encryptionKey: string } {
  const file = path.join(DATA_DIR, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(DATA_DIR, { recursive: true });
  const secrets = { adminToken: `dev_${randomBytes(24).toString('base64url')}`, encryptionKey: randomBytes(32).toString('base64') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** The demo tenant (made once) and a fresh portal link for it, so a newcomer has something to open. */
async function demoPortalLink(apiUrl: string, adminToken: string): Promise<string> {
  const admin = new HooklineClient({ baseUrl: apiUrl, token: adminToken });
  try {
    await admin.getTenant(DEMO_TENANT);
  } catch (err) {
    if (!(err instanceof HooklineApiError && err.status === 404)) throw err;
    await admin.createTenant({ id: DEMO_TENANT, name: 'Demo tenant' });
  }
  return (await admin.createPortalSession(DEMO_TENANT)).url;
}

async function main(): Promise<void> {
  const secrets = devSecrets();
  const env = { ...process.env };
  env.HOOKLINE_ADMIN_TOKEN ||= secrets.adminToken;
  env.HOOKLINE_ENCRYPTION_KEY ||= secrets.encryptionKey;
  let temporal: DevServer | undefined;
  if (!env.TEMPORAL_ADDRESS) {
    env.TEMPORAL_ADDRESS = '127.0.0.1:7233';
    if (await portAnswers('127.0.0.1', 7233)) {
      console.log('hookline: reusing the Temporal server already on 127.0.0.1:7233');
    } else {
      console.log('hookline: starting the Temporal dev server…');
      temporal = await startDevServer({ binary: await findOrBuildTemporalCli(), port: 7233, uiPort: 8233, dbFile: path.join(DATA_DIR, 'temporal.db') });
    }
  }
  let embedded: EmbeddedPostgres | undefined;
  if (!env.DATABASE_URL) {
    if (await portAnswers('127.0.0.1', 5432)) {
      env.DATABASE_URL = LOCAL_APP_LOGIN;
      env.DATABASE_MIGRATION_URL ||= LOCAL_POSTGRES;
    } else {
      console.log('hookline: no Postgres on 127.0.0.1:5432, starting an embedded one (PGlite, data in .data/pglite)…');
      embedded = await startEmbeddedPostgres(path.join(DATA_DIR, 'pglite'));
      // PGlite has a single user: the app and the migrations both connect as it (withTenant still binds RLS).
      env.DATABASE_URL = embedded.url;
      env.DATABASE_POOL_SIZE = '1';
    }
  }
  const [tHost, tPort] = env.TEMPORAL_ADDRESS.split(':');
  env.HOOKLINE_TEMPORAL_UI_URL ||= temporal?.uiUrl ?? `http://${tHost}:${Number(tPort) + 1000}`;
  const config = loadConfigOrExit(env);
  await waitForTemporal(config.temporal.address, config.temporal.namespace, 30_000);
  await ensureDatabase(config.migrationDatabaseUrl, (url) => createSql(url, { max: 1 }));
  const migrator = createSql(config.migrationDatabaseUrl, { max: 1 });
  await migrate(migrator).finally(() => migrator.end());

  const [host, port] = config.temporal.address.split(':');
  try {
    await runHookline(config, {
      api: true,
      worker: true,
      name: 'hookline',
      onStarted: ({ api }) =>
        void demoPortalLink(api!.url, config.adminToken!).then((portal) => console.log(
          [
            '',
            `  Tenant portal    ${portal}`,
            `                   (the demo tenant's webhook settings; the link works for ${Math.round(config.portalSessionTtlMs / 60_000)} minutes: restart for a new one)`,
            `  Operator console ${api!.url}/console   (sign in with the admin token)`,
            `  Hookline API     ${api!.url}   (docs: ${api!.url}/docs)`,
            `  Temporal Web UI  ${temporal?.uiUrl ?? `http://${host}:${Number(port) + 1000}`}`,
            `  Admin token      ${config.adminToken}`,
            `  Database         ${new URL(config.databaseUrl).pathname.slice(1)} on ${new URL(config.databaseUrl).host}${embedded ? ' (embedded PGlite)' : ''}`,
            '',
            '  Ctrl-C stops everything.',
            '',
          ].join('\n'),
        )),
    });
  } finally {
    await temporal?.stop();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(`hookline dev failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
