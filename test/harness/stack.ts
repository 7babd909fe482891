import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { HooklineClient } from '../../api/client';
import { serveApi, type RunningApi } from '../../api/server';
import { loadConfig, type Config } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createMetrics, type Metrics } from '../../lib/metrics';
import { connectTemporalClient } from '../../lib/temporal-client';
import { createSql, type Sql } from '../../db/sql';
import { createHooklineWorker } from '../../worker/create-worker';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The environment every test stack starts from; tests override what they exercise. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: process.env.HOOKLINE_TEST_DATABASE_URL!,
    TEMPORAL_ADDRESS: process.env.HOOKLINE_TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `hookline-test-${randomBytes(4).toString('hex')}`,
    HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
    HOOKLINE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,300ms',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export interface Stack {
  config: Config;
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

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(process.env.HOOKLINE_TEST_SDK_LOG === '1' ? 'INFO' : 'ERROR') });
  } catch {
    // already installed in this process by an earlier test file
  }
}

/** A whole Hookline (API + worker, on its own task queue) against the suite's Temporal and Postgres. */
export interface StackOptions {
  worker?: boolean;
  /** Collects every JSON log line the stack writes (API and activities) instead of printing it. */
  logLines?: string[];
}

export async function startStack(overrides: Record<string, string> = {}, opts: StackOptions = {}): Promise<Stack> {
  quietRuntime();
  const config = loadConfig(testEnv(overrides));
  const log = createLogger(config.logLevel, 'hookline', opts.logLines && { write: (line: string) => void opts.logLines!.push(line) });
  const sql = createSql(config.databaseUrl, { max: Math.min(config.databasePoolSize, 10) });
  const client = await connectTemporalClient(config);
  const metrics = createMetrics();
  const api = await serveApi({ config, sql, client, log, metrics }, 0, '127.0.0.1');
  const admin = new HooklineClient({ baseUrl: api.url, token: ADMIN_TOKEN });
  let running: { worker: Worker; connection: NativeConnection; done: Promise<void> } | undefined;

  const stack: Stack = {
    config, sql, client, metrics, api, admin,
    async newTenant(prefix = 't') {
      const id = `${prefix}-${randomBytes(5).toString('hex')}`;
      const { apiKey } = await admin.createTenant({ id, name: `Tenant ${id}` });
      return { id, apiKey, api: admin.withToken(apiKey) };
    },
    async startWorker() {
      if (running) return;
      const { worker, connection } = await createHooklineWorker({
        config, sql, client, log, metrics,
        workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
      });
      running = { worker, connection, done: worker.run() };
    },
    async stopWorker() {
      if (!running) return;
      const { worker, connection, done } = running;
      running = undefined;
      worker.shutdown();
      await done;
      await connection.close();
    },
    async stop() {
      await stack.stopWorker();
      await api.close();
      await client.connection.close();
      await sql.end({ timeout: 5 });
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}
