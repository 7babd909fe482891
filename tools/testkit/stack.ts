import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { HooklineClient } from '../../api/client';
import { serveApi, type RunningApi } from '../../api/server';
import { loadConfig, type Config } from '../../infra/config';
import type { Metrics } from '../../infra/metrics';
import { createSql, type Sql } from '../../db/sql';
import { createRuntime } from '../../bin/runtime';
import { createWorkerSendGate } from '../../temporal/activities/deliver/fair-share';
import { startRelay, type Relay } from '../../temporal/relay';
import { startStatsFolder, type StatsFolder } from '../../temporal/stats-folder';
import { createHooklineWorker } from '../../temporal/worker';
import { appLogin } from './app-login';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The environment every test stack starts from; tests override what they exercise. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const owner = process.env.HOOKLINE_TEST_DATABASE_URL!;
  // A stack given a database of its own (PGlite, a cluster of its own) connects as its owner unless told.
  const own = overrides.DATABASE_URL !== undefined && overrides.DATABASE_MIGRATION_URL === undefined;
  return {
    NODE_ENV: 'test',
    DATABASE_URL: appLogin(owner),
    ...(own ? {} : { DATABASE_MIGRATION_URL: owner }),
    TEMPORAL_ADDRESS: process.env.HOOKLINE_TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `hookline-test-${randomBytes(4).toString('hex')}`,
    HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
    HOOKLINE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,300ms',
    LOG_LEVEL: 'silent',
    // Every stack's worker makes its purge schedule: due once in ten years, so no purge starts on its own
    // in the middle of a suite (test/integration/retention.test.ts runs the purge when it wants one).
    HOOKLINE_PURGE_INTERVAL: '3650d',
    // Many tests fail a receiver on purpose for hundreds of attempts: the circuit breaker would hold
    // their deliveries; the tests of the breaker set their own threshold.
    HOOKLINE_CIRCUIT_FAILURES: '1000000',
    // The whole suite can run with deliveries sent from local activities: HOOKLINE_LOCAL_SEND=true npx jest
    ...(process.env.HOOKLINE_LOCAL_SEND ? { HOOKLINE_LOCAL_SEND: process.env.HOOKLINE_LOCAL_SEND } : {}),
    ...overrides,
  };
}

export interface Stack {
  config: Config;
  /** The database as its owner, above row-level security: for tests to look behind the API. */
  sql: Sql;
  client: Client;
  metrics: Metrics;
  api: RunningApi;
  admin: HooklineClient;
  /** A new tenant with a client that holds its API key. */
  newTenant(prefix?: string): Promise<{ id: string; apiKey: string; api: HooklineClient }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** A whole Hookline (API + worker, on its own task queue) against the suite's Temporal and Postgres. */
export interface StackOptions {
  worker?: boolean;
  /** Collects every JSON log line the stack writes (API, activities, SDK) instead of printing it. */
  logLines?: string[];
  /** Traces API, relay, workflows and activities into this exporter (the runtime's test hook). */
  spanExporter?: SpanExporter;
}

export async function startStack(overrides: Record<string, string> = {}, opts: StackOptions = {}): Promise<Stack> {
  const config = loadConfig(testEnv(overrides));
  const runtime = await createRuntime(config, {
    logDestination: opts.logLines && { write: (line: string) => void opts.logLines!.push(line) },
    maxConnections: Math.min(config.databasePoolSize, 10),
    spanExporter: opts.spanExporter,
  });
  const { client, metrics } = runtime;
  const sql = createSql(config.migrationDatabaseUrl, { max: 2 });
  const api = await serveApi(runtime, 0, '127.0.0.1');
  const admin = new HooklineClient({ baseUrl: api.url, token: ADMIN_TOKEN });
  let running: { worker: Worker; relay: Relay; statsFolder: StatsFolder; done: Promise<void> } | undefined;

  const stack: Stack = {
    config, sql, client, metrics, api, admin,
    async newTenant(prefix = 't') {
      const id = `${prefix}-${randomBytes(5).toString('hex')}`;
      const { apiKey } = await admin.createTenant({ id, name: `Tenant ${id}` });
      return { id, apiKey, api: admin.withToken(apiKey) };
    },
    async startWorker() {
      if (running) return;
      const sendGate = createWorkerSendGate(config);
      const worker = await createHooklineWorker({
        ...runtime,
        workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
        tracedWorkflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE_TRACED! },
        sendGate,
      });
      running = {
        worker,
        done: worker.run(),
        relay: startRelay({ ...runtime, taskQueue: config.temporal.taskQueue, localSend: config.localSend, localFirst: config.localFirstAttempt, sendGate }),
        statsFolder: startStatsFolder(runtime),
      };
    },
    async stopWorker() {
      if (!running) return;
      const { worker, relay, statsFolder, done } = running;
      running = undefined;
      await relay.stop();
      await statsFolder.stop();
      worker.shutdown();
      await done;
    },
    async stop() {
      await stack.stopWorker();
      await api.close();
      await runtime.close();
      await sql.end({ timeout: 5 });
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}
