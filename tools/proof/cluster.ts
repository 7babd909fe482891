import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { HooklineClient } from '../../api/client';
import { dropDatabase } from '../../db/migrate';
import { createSql } from '../../db/sql';
import { freePort } from '../testkit/free-port';
import { createPgCluster, dropPgClusterIfExists, type PgCluster } from '../testkit/pg-cluster';
import { waitFor } from '../testkit/wait';
import { waitForTemporal } from '../temporal/temporal-dev-server';
import type { DatabaseServer } from '../temporal/temporal-server/databases';
import { PORTS_PER_SERVER } from '../temporal/temporal-server/ports';
import { dropTemporalDatabases, startTemporalServer, type TemporalServer, type TemporalServerOptions } from '../temporal/temporal-server/start';
import { freePortBlock } from './port-block';
import { httpOk, sleep, startNpm, type Proc } from './processes';
import { appLogin } from '../testkit/app-login';

/**
 * Which Temporal the proofs run on: `dev` is `npm run temporal` (the CLI's dev server, SQLite);
 * `postgres` is the real server of tools/temporal/temporal-server (v1.29.1), its databases on the shared
 * Postgres under a prefix of the run's own, dropped at the end.
 */
export type Engine = 'dev' | 'postgres';

/** `--engine <dev|postgres>` on the command line, else `HOOKLINE_TEST_ENGINE`, else `dev`. */
export function engineOption(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Engine {
  const i = argv.indexOf('--engine');
  const inline = argv.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
  const value = (i >= 0 ? argv[i + 1] : inline) ?? env.HOOKLINE_TEST_ENGINE ?? 'dev';
  if (value !== 'dev' && value !== 'postgres') throw new Error(`engine must be dev or postgres, not ${JSON.stringify(value)}`);
  return value;
}

/**
 * Hookline as separate processes, the way it is deployed: a Temporal server (see Engine),
 * `npm run api` and N × `npm run worker`, on a fresh database: on the shared Postgres, or with
 * `privatePostgres` on a Postgres cluster of the run's own that `crashPostgres` can stop and
 * start. Each process logs to `dir`.
 */
export interface Cluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  engine: Engine;
  apiUrl: string;
  admin: HooklineClient;
  adminToken: string;
  encryptionKey: string;
  temporalAddress: string;
  taskQueue: string;
  databaseUrl: string;
  /** The run's own Postgres cluster (with `privatePostgres`). */
  pg?: PgCluster;
  api: Proc;
  workers: Proc[];
  startWorker(i: number): Proc;
  /** Starts the API unless it is running. */
  startApi(): Proc;
  /** dev: SIGTERM and `npm run temporal` again on the same file; postgres: SIGKILL and a new start on the same databases. */
  restartTemporal(): Promise<void>;
  /** Stops the private Postgres with `immediate` (a crash), waits `downMs`, starts it again. */
  crashPostgres(downMs: number): Promise<{ downAt: number; upAt: number }>;
  /**
   * Stops every process, drops the Temporal server's databases and the private Postgres cluster
   * (always), and the database on the shared Postgres unless `dropDatabase: false`.
   */
  stop(opts?: { dropDatabase?: boolean }): Promise<void>;
  /** Every process log of the run, the private Postgres' included. */
  logs(): string;
}

export interface ClusterOptions {
  name: string;
  workers: number;
  env?: Record<string, string>;
  engine?: Engine;
  privatePostgres?: boolean;
  log?: (line: string) => void;
}

interface TemporalHandle {
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL, for a cleanup that must be quick (the run was interrupted). */
  kill(): Promise<void>;
  /** Drops what the engine keeps outside `dir` (the postgres engine's databases). */
  cleanup(): Promise<void>;
}

function databaseServer(url: URL): DatabaseServer {
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

const LEDGER = 'run.json';

/** What a run made outside its directory; `done` once its own stop() undid it all. */
interface Ledger {
  pid: number;
  processGroups: number[];
  pgCluster?: string;
  sharedDatabaseUrl?: string;
  temporalDbPrefix?: string;
  temporalDatabaseServer?: DatabaseServer;
  temporalServerPid?: number;
  done?: boolean;
  reaped?: string;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The command lines of the processes in group `pgid` (none when it is gone). */
function groupCommands(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'args=', '-g', String(pgid)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Undoes what earlier runs under `root` (.data/<name>/<stamp>/run.json) left behind when they were
 * killed before their own cleanup: their processes, private Postgres cluster, Temporal databases and
 * database on the shared Postgres. A run whose proof process is still alive is left alone.
 */
export async function reapAbandonedRuns(root: string, log: (line: string) => void): Promise<void> {
  let files: string[] = [];
  try {
    files = readdirSync(root).flatMap((name) => {
      try {
        return readdirSync(path.join(root, name)).map((stamp) => path.join(root, name, stamp, LEDGER)).filter((f) => existsSync(f));
      } catch {
        return [];
      }
    });
  } catch {
    return;
  }
  for (const file of files) {
    let ledger: Ledger;
    try {
      ledger = JSON.parse(readFileSync(file, 'utf8')) as Ledger;
    } catch {
      continue;
    }
    if (ledger.done || ledger.reaped || cmdline(ledger.pid).includes('tools/proof/')) continue;
    log(`cleaning up after an interrupted run (${path.dirname(file)})`);
    for (const pgid of ledger.processGroups) {
      if (groupCommands(pgid).some((c) => /npm run|tsx|bin\/(api|worker|migrate)\.ts|tools\/temporal\.ts|start-dev/.test(c))) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    if (ledger.temporalServerPid && cmdline(ledger.temporalServerPid).includes('temporal-server')) {
      try {
        process.kill(ledger.temporalServerPid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    // Each on its own: a failure is reported, and the next run tries again.
    const steps: Promise<unknown>[] = [];
    if (ledger.pgCluster) steps.push(dropPgClusterIfExists(ledger.pgCluster));
    if (ledger.temporalDbPrefix) steps.push(dropTemporalDatabases(ledger.temporalDbPrefix, ledger.temporalDatabaseServer));
    if (ledger.sharedDatabaseUrl) steps.push(dropDatabase(ledger.sharedDatabaseUrl, (u) => createSql(u, { max: 1 })));
    const failed = (await Promise.allSettled(steps)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) log(`could not clean up all of ${path.dirname(file)}: ${failed.map((f) => String(f.reason)).join('; ')}`);
    else writeFileSync(file, JSON.stringify({ ...ledger, reaped: new Date().toISOString() }, null, 2));
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const engine = opts.engine ?? 'dev';
  const log = opts.log ?? ((line: string) => console.log(`${opts.name}: ${line}`));
  const stamp = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}_${randomBytes(2).toString('hex')}`;
  const dir = path.resolve(__dirname, '..', '..', '.data', opts.name, stamp);
  mkdirSync(dir, { recursive: true });
  const shared = new URL(process.env.PROOF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `hookline_${opts.name}_${stamp}`;

  // Everything made outside `dir` is undone by stop(), which copes with a start that failed half-way,
  // and is written to the run's ledger, so that a later run undoes it if this one is killed first.
  await reapAbandonedRuns(path.dirname(path.dirname(dir)), log);
  const ledger: Ledger = { pid: process.pid, processGroups: [] };
  const writeLedger = () => writeFileSync(path.join(dir, LEDGER), JSON.stringify(ledger, null, 2));
  writeLedger();
  const spawnNpm = (name: string, script: string, args: string[], env: NodeJS.ProcessEnv): Proc => {
    const p = startNpm(name, script, args, env, dir);
    if (p.child.pid) ledger.processGroups.push(p.child.pid);
    writeLedger();
    return p;
  };
  let pg: PgCluster | undefined;
  let temporal: TemporalHandle | undefined;
  let databaseUrl = '';
  let cluster: Cluster | undefined;
  const processes = () => [cluster?.api, ...(cluster?.workers ?? [])].filter(Boolean) as Proc[];
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return; // npm, tsx and the terminal may each pass the signal on
    interrupted = true;
    log(`${signal}: cleaning up`);
    void stop({ dropDatabase: true, fast: true }).finally(() => process.exit(130));
  };
  function stop(opts: { dropDatabase?: boolean; fast?: boolean } = {}): Promise<void> {
    stopped = true;
    return (stopping ??= undo(opts)); // a second call (a signal during a normal stop) waits for the first
  }
  async function undo({ dropDatabase: drop = true, fast = false }): Promise<void> {
    let clean = true;
    try {
      await Promise.all(processes().map((p) => (fast ? p.kill('SIGKILL') : p.kill('SIGTERM', 10_000))));
      await (fast ? temporal?.kill() : temporal?.stop())?.catch((err: Error) => log(`stopping Temporal: ${err.message}`));
      await temporal?.cleanup().catch((err: Error) => ((clean = false), log(`dropping Temporal's databases: ${err.message}`)));
      if (pg) {
        try {
          if (existsSync(pg.logFile)) copyFileSync(pg.logFile, path.join(dir, 'postgres.log'));
        } catch {
          // the copy is only for reading later
        }
        await pg.drop().then(
          () => log(`dropped Postgres cluster ${pg!.name}`),
          (err: Error) => ((clean = false), log(`could not drop Postgres cluster ${pg!.name}: ${err.message}`)),
        );
      } else if (drop && databaseUrl) {
        await dropDatabase(databaseUrl, (u) => createSql(u, { max: 1 })).catch(() => {});
      }
    } finally {
      ledger.done = clean;
      writeLedger();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (opts.privatePostgres) {
      ledger.pgCluster = `hookline_${opts.name}_${stamp}`;
      writeLedger();
      // Its port below the ephemeral range too: the crash frees it for a few seconds.
      pg = await createPgCluster(ledger.pgCluster, await freePortBlock(1), { maxConnections: 80 });
      databaseUrl = pg.url(`hookline_${opts.name}`);
      log(`private Postgres cluster ${pg.name} on port ${pg.port}`);
    } else {
      const url = new URL(shared);
      url.pathname = `/${dbName}`;
      databaseUrl = url.toString();
      ledger.sharedDatabaseUrl = databaseUrl;
      writeLedger();
    }
    // Below the ephemeral range (the real server binds 9 ports): the restart binds them again, and an
    // outgoing connection must not take one in between.
    const temporalPort = await freePortBlock(engine === 'postgres' ? PORTS_PER_SERVER : 1);
    const apiPort = await freePort();
    const adminToken = `proof_${randomBytes(18).toString('base64url')}`;
    const encryptionKey = randomBytes(32).toString('base64');
    const taskQueue = `hookline-${opts.name}-${stamp}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      // As deployed: migrations as the owner, the API and workers as hookline_app (README, "Database roles").
      DATABASE_MIGRATION_URL: databaseUrl,
      DATABASE_URL: appLogin(databaseUrl),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
      HOOKLINE_ADMIN_TOKEN: adminToken,
      HOOKLINE_ENCRYPTION_KEY: encryptionKey,
      PORT: String(apiPort),
      LOG_LEVEL: 'info',
      ...opts.env,
    };

    const migrate = spawnNpm('migrate', 'migrate', [], env);
    const started = engine === 'postgres' ? startRealServer(temporalPort) : startDevEngine();
    const [code] = await Promise.all([migrate.exited, started.then((t) => (temporal = t))]);
    if (code !== 0) throw new Error(`migrate failed; see ${dir}/migrate.log`);

    function startDevEngine(): Promise<TemporalHandle> {
      const dbFile = path.join(dir, 'temporal.db');
      const start = () => spawnNpm('temporal', 'temporal', ['--db-file', dbFile, '--headless'], env);
      const ready = () => waitForTemporal(env.TEMPORAL_ADDRESS!, 'default', 120_000);
      let proc = start();
      const handle: TemporalHandle = {
        async restart() {
          await proc.kill('SIGTERM');
          proc = start();
          await ready();
        },
        stop: () => proc.kill('SIGTERM', 10_000),
        kill: () => proc.kill('SIGKILL'),
        cleanup: async () => {},
      };
      return ready().then(() => handle);
    }

    async function startRealServer(port: number): Promise<TemporalHandle> {
      const prefix = `hl${opts.name}_${stamp}`.toLowerCase();
      ledger.temporalDbPrefix = prefix;
      ledger.temporalDatabaseServer = databaseServer(shared);
      writeLedger();
      const started = (s: TemporalServer) => {
        ledger.temporalServerPid = s.process.pid;
        writeLedger();
        return s;
      };
      const serverOpts: TemporalServerOptions = {
        port,
        ...(({ host, port: dbPort, user, password }) => ({ databaseHost: host, databasePort: dbPort, databaseUser: user, databasePassword: password }))(databaseServer(shared)),
        dbPrefix: prefix,
        dataDir: path.join(dir, 'temporal-server'),
        logFile: path.join(dir, 'temporal.log'),
        // Up to 4 × (4 + 1) = 20 connections on the shared Postgres.
        maxConns: 4,
        visibilityMaxConns: 1,
        timeoutMs: 240_000,
        log,
      };
      const dropDbs = () => dropTemporalDatabases(prefix, databaseServer(shared));
      let server: TemporalServer;
      try {
        server = started(await startTemporalServer(serverOpts));
      } catch (err) {
        await dropDbs().catch(() => {});
        throw err;
      }
      return {
        async restart() {
          await server.kill();
          server = started(await startTemporalServer(serverOpts));
        },
        stop: () => server.stop(),
        kill: () => server.kill(),
        cleanup: async () => {
          await dropDbs();
          log(`dropped Temporal databases ${prefix}_temporal, ${prefix}_temporal_visibility`);
        },
      };
    }

    const c: Cluster = {
      dir,
      env,
      engine,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      admin: new HooklineClient({ baseUrl: `http://127.0.0.1:${apiPort}`, token: adminToken }),
      adminToken,
      encryptionKey,
      temporalAddress: env.TEMPORAL_ADDRESS!,
      taskQueue,
      databaseUrl,
      pg,
      api: undefined as unknown as Proc,
      workers: [],
      startWorker(i) {
        const current = c.workers[i];
        if (current?.running() || stopped) return current!;
        const w = spawnNpm(`worker-${i}`, 'worker', [], env);
        c.workers[i] = w;
        return w;
      },
      startApi() {
        if (c.api?.running() || stopped) return c.api;
        c.api = spawnNpm('api', 'api', [], env);
        return c.api;
      },
      restartTemporal: () => temporal!.restart(),
      async crashPostgres(downMs) {
        if (!pg) throw new Error('crashPostgres needs privatePostgres');
        const downAt = Date.now();
        await pg.stop('immediate');
        await sleep(downMs);
        await pg.start();
        return { downAt, upAt: Date.now() };
      },
      stop,
      logs() {
        const files = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f));
        if (pg && existsSync(pg.logFile)) files.push(pg.logFile);
        return files.map((f) => readFileSync(f, 'utf8')).join('\n');
      },
    };
    cluster = c;
    c.startApi();
    for (let i = 0; i < opts.workers; i++) c.startWorker(i);
    await waitFor(() => httpOk(`${c.apiUrl}/healthz`), { what: 'the API', timeoutMs: 60_000, intervalMs: 250 });
    return c;
  } catch (err) {
    await stop({ dropDatabase: true });
    throw err;
  }
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

/** Rows left in the cluster's outbox (0 once the relays have carried everything to Temporal). */
export async function outboxRows(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ n: number }[]>`select count(*)::int as n from outbox`)[0]!.n;
  } finally {
    await sql.end();
  }
}

