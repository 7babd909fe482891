import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { HooklineClient } from '../../api/client';
import { dropDatabase } from '../../db/migrate';
import { createSql } from '../../db/sql';
import { freePort } from '../testkit/free-port';
import { waitFor } from '../testkit/wait';
import { waitForTemporal } from '../temporal-dev-server';
import { httpOk, startNpm, type Proc } from './processes';

/**
 * Hookline as separate processes, the way it is deployed: `npm run temporal` (its own SQLite file),
 * `npm run api` and N × `npm run worker`, on a fresh database. Each process logs to `dir`.
 */
export interface Cluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  admin: HooklineClient;
  adminToken: string;
  encryptionKey: string;
  temporalAddress: string;
  taskQueue: string;
  databaseUrl: string;
  temporal: Proc;
  api: Proc;
  workers: Proc[];
  startWorker(i: number): Proc;
  restartTemporal(): Promise<void>;
  stop(opts?: { dropDatabase?: boolean }): Promise<void>;
  logs(): string;
}

export async function startCluster(opts: { name: string; workers: number; env?: Record<string, string> }): Promise<Cluster> {
  const stamp = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}_${randomBytes(2).toString('hex')}`;
  const dir = path.resolve(__dirname, '..', '..', '.data', opts.name, stamp);
  mkdirSync(dir, { recursive: true });
  const base = new URL(process.env.PROOF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/hookline_${opts.name}_${stamp}`;
  const [temporalPort, apiPort] = [await freePort(), await freePort()];
  const adminToken = `proof_${randomBytes(18).toString('base64url')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  const taskQueue = `hookline-${opts.name}-${stamp}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: base.toString(),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: taskQueue,
    HOOKLINE_ADMIN_TOKEN: adminToken,
    HOOKLINE_ENCRYPTION_KEY: encryptionKey,
    PORT: String(apiPort),
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const dbFile = path.join(dir, 'temporal.db');
  const startTemporal = () => startNpm('temporal', 'temporal', ['--db-file', dbFile, '--headless'], env, dir);
  const temporalReady = () => waitForTemporal(env.TEMPORAL_ADDRESS!, 'default', 120_000);

  const migrate = startNpm('migrate', 'migrate', [], env, dir);
  const cluster: Cluster = {
    dir,
    env,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    admin: new HooklineClient({ baseUrl: `http://127.0.0.1:${apiPort}`, token: adminToken }),
    adminToken,
    encryptionKey,
    temporalAddress: env.TEMPORAL_ADDRESS!,
    taskQueue,
    databaseUrl: env.DATABASE_URL!,
    temporal: startTemporal(),
    api: undefined as unknown as Proc,
    workers: [],
    startWorker(i) {
      const current = cluster.workers[i];
      if (current?.running()) return current;
      const w = startNpm(`worker-${i}`, 'worker', [], env, dir);
      cluster.workers[i] = w;
      return w;
    },
    async restartTemporal() {
      await cluster.temporal.kill('SIGTERM');
      cluster.temporal = startTemporal();
      await temporalReady();
    },
    async stop({ dropDatabase: drop = true } = {}) {
      await Promise.all([cluster.api, cluster.temporal, ...cluster.workers].filter(Boolean).map((p) => p.kill('SIGTERM', 10_000)));
      if (drop) await dropDatabase(cluster.databaseUrl, (u) => createSql(u, { max: 1 })).catch(() => {});
    },
    logs() {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(path.join(dir, f), 'utf8'))
        .join('\n');
    },
  };
  if ((await migrate.exited) !== 0) throw new Error(`migrate failed; see ${dir}/migrate.log`);
  await temporalReady();
  cluster.api = startNpm('api', 'api', [], env, dir);
  for (let i = 0; i < opts.workers; i++) cluster.startWorker(i);
  await waitFor(() => httpOk(`${cluster.apiUrl}/healthz`), { what: 'the API', timeoutMs: 60_000, intervalMs: 250 });
  return cluster;
}

/** Deliveries per status in the cluster's database. */
export async function deliveryCounts(databaseUrl: string): Promise<Record<string, number>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from deliveries where kind = 'event' group by status`;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  } finally {
    await sql.end();
  }
}
