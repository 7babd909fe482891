import type { DestinationStream } from 'pino';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { ConfigError, type Config } from '../infra/config';
import { createLogger, type Logger } from '../infra/logger';
import { createMetrics, type Metrics } from '../infra/metrics';
import { createSql, type Sql } from '../db/sql';
import { unsafeAppRole } from '../db/roles';
import { connectToTemporal } from '../temporal/connection';
import { installSdkLogger } from '../temporal/sdk-logger';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../infra/tracing';

/** What every entry point (and the test harness) builds first, in one place and one order. */
export interface BaseRuntime {
  config: Config;
  log: Logger;
  sql: Sql;
  metrics: Metrics;
  /** OpenTelemetry, when on (OTEL_EXPORTER_OTLP_ENDPOINT, or a test's exporter). */
  tracing?: Tracing;
  close(): Promise<void>;
}

/** A worker's runtime: the base and one connection to Temporal. The API needs none (the relay talks to Temporal). */
export interface HooklineRuntime extends BaseRuntime {
  connection: NativeConnection;
  client: Client;
}

export interface RuntimeOptions {
  name?: string;
  /** Where log lines go (tests collect them); stdout when absent. */
  logDestination?: DestinationStream;
  /** Postgres connections for this process; `DATABASE_POOL_SIZE` when absent. */
  maxConnections?: number;
  /** Tests: trace into this exporter (e.g. in memory), whatever the environment says. */
  spanExporter?: SpanExporter;
}

export async function createBaseRuntime(config: Config, opts: RuntimeOptions = {}): Promise<BaseRuntime> {
  const log = createLogger(config.logLevel, opts.name ?? 'hookline', opts.logDestination);
  installSdkLogger(log);
  const sql = createSql(config.databaseUrl, { max: opts.maxConnections ?? config.databasePoolSize });
  if (config.production) await refuseUnsafeRole(sql, log);
  const tracing = startTracing(config, { exporter: opts.spanExporter });
  return {
    config, log, sql, metrics: createMetrics(), tracing,
    async close() {
      await sql.end({ timeout: 5 });
      await tracing?.shutdown();
    },
  };
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<HooklineRuntime> {
  const base = await createBaseRuntime(config, opts);
  const { connection, client } = await connectToTemporal(config, { tracing: Boolean(base.tracing) }).catch(async (err: unknown) => {
    await base.close();
    throw err;
  });
  return {
    ...base,
    connection,
    client,
    async close() {
      await Promise.allSettled([connection.close(), base.close()]);
    },
  };
}

/** Production serves only as a role under row-level security (README, "Database roles"). */
async function refuseUnsafeRole(sql: Sql, log: Logger): Promise<void> {
  let problem: string | null;
  try {
    problem = await unsafeAppRole(sql);
  } catch (err) {
    // Postgres is down: the API answers 503 until it is back, as it would later.
    log.warn({ err: { message: (err as Error).message } }, 'could not check the database role at start');
    return;
  }
  if (!problem) return;
  await sql.end({ timeout: 1 });
  throw new ConfigError(`DATABASE_URL: ${problem}; the API and workers log in as hookline_app, migrations as the owner (DATABASE_MIGRATION_URL)`);
}
