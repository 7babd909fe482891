import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { HooklineClient } from '../api/client';
import { dropDatabase, ensureDatabase } from '../db/migrate';
import { createSql, type Sql } from '../db/sql';
import { freePortBlock } from '../tools/proof/port-block';
import { findOrBuildTemporalCli } from '../tools/temporal/temporal-cli';
import { startDevServer } from '../tools/temporal/temporal-dev-server';
import { PORTS_PER_SERVER } from '../tools/temporal/temporal-server/ports';
import { dropTemporalDatabases, startTemporalServer } from '../tools/temporal/temporal-server/start';
import { freePort } from '../tools/testkit/free-port';
import { waitFor } from '../tools/testkit/wait';
import { busiestProcess, descendants, postmasterOf, processTable, type TreeSpec } from './cpu';
import { startScript, type Proc } from './processes';

/**
 * The engines users run: `dev-file`, the CLI's dev server with its SQLite file (what `npm run dev` and
 * `npm run temporal` run), and `postgres`, the real server of tools/temporal/temporal-server on the local
 * Postgres. `dev-memory`, the dev server in memory, only when asked: it flatters every figure.
 * (Results written before these names say `dev` for the in-memory dev server.)
 */
export type Engine = 'dev-file' | 'postgres' | 'dev-memory';
export const ENGINES: Engine[] = ['dev-file', 'postgres', 'dev-memory'];

/**
 * `one`: API and worker in one process (`npm start`). `split`: `npm run api` and `npm run worker`.
 * `split2`: two of each (the scale-out check), publishes alternating between the two APIs.
 */
export type Topology = 'one' | 'split' | 'split2';
export const TOPOLOGY_NAMES: Topology[] = ['one', 'split', 'split2'];

export interface TemporalEngine {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/** Eager activity execution, as `npm run dev` and deploy/temporal run it; `BENCH_EAGER_ACTIVITIES=0` measures without. */
export const EAGER_ACTIVITIES = process.env.BENCH_EAGER_ACTIVITIES !== '0';

/**
 * Settings tried on the engine, for measuring what each costs: `BENCH_TEMPORAL_DYNAMIC_CONFIG` (a JSON object
 * of dynamic config keys on top of deploy/temporal/dynamic-config.yaml) and, for the Postgres-backed server,
 * `BENCH_HISTORY_SHARDS` (4).
 */
const TRIED_DYNAMIC_CONFIG = JSON.parse(process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG ?? '{}') as Record<string, unknown>;
const HISTORY_SHARDS = Number(process.env.BENCH_HISTORY_SHARDS ?? 4);
/** What the results record of the engine settings tried. */
export const ENGINE_SETTINGS = { historyShards: HISTORY_SHARDS, dynamicConfig: TRIED_DYNAMIC_CONFIG };

export async function startEngine(engine: Engine, dir: string, log: (line: string) => void): Promise<TemporalEngine> {
  const dynamicConfig = { 'system.enableActivityEagerExecution': EAGER_ACTIVITIES, ...TRIED_DYNAMIC_CONFIG };
  if (engine !== 'postgres') {
    const dbFile = engine === 'dev-file' ? path.join(dir, 'temporal-dev.sqlite') : undefined;
    const server = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error', dynamicConfig, dbFile });
    return { address: server.address, pid: server.process.pid!, stop: server.stop };
  }
  const prefix = `hlbench_${randomBytes(4).toString('hex')}`;
  const server = await startTemporalServer({
    port: await freePortBlock(PORTS_PER_SERVER),
    dbPrefix: prefix,
    dataDir: path.join(dir, 'temporal-server'),
    logFile: path.join(dir, 'temporal.log'),
    maxConns: 4, // at most 4 × (4 + 1) connections on the shared Postgres
    visibilityMaxConns: 1,
    numHistoryShards: HISTORY_SHARDS,
    dynamicConfig,
    log,
  }).catch(async (err: unknown) => {
    await dropTemporalDatabases(prefix).catch(() => {});
    throw err;
  });
  return {
    address: server.address,
    pid: server.process.pid!,
    async stop() {
      await server.stop();
      await dropTemporalDatabases(prefix).catch((err: Error) => log(`could not drop ${prefix}_temporal*: ${err.message}`));
    },
  };
}

export interface StackOptions {
  label: string;
  /** The Hookline checkout to run (its `npm start`, `npm run api|worker|migrate`). */
  tree: string;
  topology: Topology;
  engine: Engine;
  localSend: boolean;
  maxEndpointsPerTenant: number;
  /** Process logs go here. */
  dir: string;
  log: (line: string) => void;
}

/** One Hookline under test: its Temporal, its database, its processes, and the bench's own handles on them. */
export interface Stack {
  label: string;
  topology: Topology;
  admin: HooklineClient;
  /** The bench's own connection to the stack's database (settling, sampling delivery ids). */
  sql: Sql;
  /** The bench's own Temporal client (settling, histories). */
  client: Client;
  taskQueue: string;
  /** What to measure: Temporal, every Hookline process, the Postgres cluster. */
  trees(): TreeSpec[];
  /** Sends the workers' gates refused so far (`hookline_send_slot_wait_seconds_count{outcome="busy"}`, summed over the worker processes); null if a scrape failed. */
  sendsRefused(): Promise<number | null>;
  /** The worker's node process (the split topology's worker, or the one process). */
  workerPid(): number | undefined;
  /** Split only: freezes (SIGSTOP) or thaws the worker, relay included, to see what the API alone accepts. */
  pauseWorker?(paused: boolean): void;
  /** Split only: a new worker process in place of the old, with these node flags (`--cpu-prof`, ...). */
  restartWorker(nodeFlags: string[]): Promise<void>;
  stop(): Promise<void>;
}

const SHARED_POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function startStack(opts: StackOptions): Promise<Stack> {
  mkdirSync(opts.dir, { recursive: true });
  const dbUrl = new URL(SHARED_POSTGRES);
  dbUrl.pathname = `/hookline_bench_${Date.now().toString(36)}_${opts.topology}`;
  const databaseUrl = dbUrl.toString();
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const undo of cleanups.reverse()) await undo().catch((err: Error) => opts.log(`cleanup: ${err.message}`));
    cleanups.length = 0;
  };
  try {
    const temporal = await startEngine(opts.engine, opts.dir, opts.log);
    cleanups.push(() => temporal.stop());
    cleanups.push(() => dropDatabase(databaseUrl, (u) => createSql(u, { max: 1 })));
    await ensureDatabase(databaseUrl, (u) => createSql(u, { max: 1 }));
    const sql = createSql(databaseUrl, { max: 2 });
    cleanups.push(() => sql.end({ timeout: 2 }));
    // Counts the relay's outbox claims (pg_stat_user_functions), for claims per delivery.
    await sql`alter database ${sql(dbUrl.pathname.slice(1))} set track_functions = 'all'`;
    const backend = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
    const postmaster = postmasterOf(backend);
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });

    const port = await freePort();
    const secondPort = opts.topology === 'split2' ? await freePort() : undefined;
    const adminToken = `bench_${randomBytes(16).toString('hex')}`;
    const taskQueue = `bench-${opts.topology}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      HOOKLINE_ADMIN_TOKEN: adminToken,
      HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HOOKLINE_MAX_ENDPOINTS_PER_TENANT: String(opts.maxEndpointsPerTenant),
      HOOKLINE_LOCAL_SEND: String(opts.localSend),
      LOG_LEVEL: 'warn',
    };
    // Every process with a worker serves its metrics on a port of its own: the bench reads its gate's refusals there.
    const portFor = new Map<string, number>();
    for (const name of ['hookline', 'worker', 'worker-2']) portFor.set(name, await freePort());
    const metricsPorts = new Map<string, number>(); // of the processes started
    const script = (name: string, scriptName: string, nodeFlags?: string[]) => {
      const metricsPort = portFor.get(name);
      if (metricsPort !== undefined) metricsPorts.set(name, metricsPort);
      return startScript({ name, tree: opts.tree, script: scriptName, env: metricsPort === undefined ? env : { ...env, HOOKLINE_METRICS_PORT: String(metricsPort) }, logDir: opts.dir, nodeFlags });
    };
    const migrate = script('migrate', 'migrate');
    if ((await migrate.exited) !== 0) throw new Error(`npm run migrate failed in ${opts.tree}; see ${opts.dir}/migrate.log`);

    const procs: Proc[] = [];
    cleanups.push(() => Promise.all(procs.map((p) => p.stop())));
    if (opts.topology === 'one') procs.push(script('hookline', 'start'));
    else procs.push(script('api', 'api'), script('worker', 'worker'));
    if (secondPort !== undefined) {
      procs.unshift(startScript({ name: 'api-2', tree: opts.tree, script: 'api', env: { ...env, PORT: String(secondPort) }, logDir: opts.dir }));
      procs.push(script('worker-2', 'worker'));
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    const baseUrls = [baseUrl, ...(secondPort === undefined ? [] : [`http://127.0.0.1:${secondPort}`])];
    const failed = () => procs.find((p) => !p.running());
    const polling = (worker: Proc) =>
      waitFor(
        async () => {
          if (failed()) throw new Error(`${failed()!.name} exited; see ${opts.dir}/${failed()!.name}.log`);
          return workerPolling(client, taskQueue, worker.pid);
        },
        { what: 'the worker to poll', timeoutMs: 120_000, intervalMs: 500 },
      );
    for (const url of baseUrls) {
      await waitFor(
        async () => {
          if (failed()) throw new Error(`${failed()!.name} exited; see ${opts.dir}/${failed()!.name}.log`);
          return (await fetch(`${url}/healthz`)).ok;
        },
        { what: `the API on ${url}`, timeoutMs: 90_000, intervalMs: 250 },
      );
    }
    for (const worker of procs.filter((p) => p.name.startsWith('worker'))) await polling(worker);
    const nodeTrees = () => procs.map((p): TreeSpec => ({ name: p.name, kind: 'node', pid: p.pid }));
    opts.log(`${opts.label}: ${procs.map((p) => p.name).join(' + ')} on ${baseUrl}, Temporal ${temporal.address} (${opts.engine}), database ${dbUrl.pathname.slice(1)}`);
    return {
      label: opts.label,
      topology: opts.topology,
      admin: baseUrls.length > 1 ? new AlternatingPublisher(baseUrls, adminToken) : new HooklineClient({ baseUrl, token: adminToken }),
      sql,
      client,
      taskQueue,
      trees: () => [{ name: 'temporal', kind: 'temporal', pid: temporal.pid }, ...nodeTrees(), ...(postmaster ? [{ name: 'postgres', kind: 'postgres' as const, pid: postmaster }] : [])],
      async sendsRefused() {
        let refused = 0;
        for (const port of metricsPorts.values()) {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => (r.ok ? r.text() : null)).catch(() => null);
          if (text === null) return null;
          const line = text.split('\n').find((l) => l.startsWith('hookline_send_slot_wait_seconds_count{') && l.includes('outcome="busy"'));
          refused += line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
        }
        return refused;
      },
      workerPid: () => busiestProcess(procs[procs.length - 1]!.pid),
      pauseWorker: opts.topology === 'split' ? (paused) => procs[1]!.pause(paused) : undefined,
      async restartWorker(nodeFlags) {
        if (opts.topology !== 'split') throw new Error('only the split topology has a worker of its own');
        await procs[1]!.stop();
        procs[1] = script('worker', 'worker', nodeFlags);
        await polling(procs[1]);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The admin client of a stack with several APIs: each publish goes to the next API in turn; everything else to the first. */
class AlternatingPublisher extends HooklineClient {
  private readonly others: HooklineClient[];
  private next = 0;
  constructor(baseUrls: string[], token: string) {
    super({ baseUrl: baseUrls[0]!, token });
    this.others = baseUrls.map((baseUrl) => new HooklineClient({ baseUrl, token }));
  }
  override publish(input: Parameters<HooklineClient['publish']>[0]): ReturnType<HooklineClient['publish']> {
    const client = this.others[this.next++ % this.others.length]!;
    return client.publish(input);
  }
}

/**
 * True once a process of the tree `root` polls both the workflow and the activity task queue
 * (the SDK's default identity is `<pid>@<host>`; pollers of a stopped worker stay listed a while).
 */
async function workerPolling(client: Client, taskQueue: string, root: number): Promise<boolean> {
  const pids = new Set(descendants(processTable(), root).map((p) => String(p.pid)));
  for (const taskQueueType of [1, 2]) { // TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY
    const res = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType });
    if (!res.pollers?.some((p) => pids.has(String(p.identity).split('@')[0]!))) return false;
  }
  return true;
}
