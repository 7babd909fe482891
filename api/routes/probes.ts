import type { Client } from '@temporalio/client';
import { pingDatabase } from '../../db/queries/health';
import { deploymentBacklogWithoutWaiting } from '../../db/queries/stats';
import { tableRowEstimates } from '../../db/queries/table-estimates';
import type { Sql } from '../../db/sql';
import type { Config } from '../../infra/config';
import type { Metrics } from '../../infra/metrics';
import { isDependencyUnavailable } from '../../infra/unavailable';
import { metricsAuth } from '../auth';
import { createRouter } from '../router';

export interface ProbeDeps {
  config: Config;
  metrics: Metrics;
  sql: Sql;
  /** A worker's Temporal client: readiness also checks Temporal (the API alone never talks to it). */
  client?: Client;
}

const READY_CHECK_MS = 2_000;

/** Resolves to undefined when `check` settles in time, else to what went wrong (a dependency's message). */
async function failure(check: () => Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${READY_CHECK_MS} ms`), READY_CHECK_MS)));
  try {
    return await Promise.race([check().then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ESTIMATED_TABLES = ['deliveries', 'endpoints', 'events'] as const;

/**
 * Liveness and Prometheus metrics, served by the API and, alone, by a worker on its metrics port.
 * Metrics are this process's counters (a worker's deliveries, an API's publishes) and the
 * catalogue's row estimates, and the deployment's backlog (outbox and pending deliveries, counts capped and
 * oldest rows found by index): nothing a scrape does grows with the tables.
 */
export function probeRoutes({ config, metrics, sql, client }: ProbeDeps, where: 'api' | 'metrics-listener') {
  const app = createRouter();
  app.get('/healthz', (c) => c.json({ status: 'ok', version: config.version }));
  // Readiness: can this process do its work now? The API needs Postgres; a worker, Postgres and Temporal.
  app.get('/readyz', async (c) => {
    const [postgres, temporal] = await Promise.all([
      failure(() => pingDatabase(sql)),
      client ? failure(() => client.withDeadline(Date.now() + READY_CHECK_MS, () => client.workflowService.getSystemInfo({}))) : undefined,
    ]);
    const checks = { postgres: postgres ?? 'ok', ...(client ? { temporal: temporal ?? 'ok' } : {}) };
    if (!postgres && !temporal) return c.json({ status: 'ready', checks });
    const down = [postgres && 'postgres', temporal && 'temporal'].filter(Boolean).join(' and ');
    c.header('retry-after', '5');
    return c.json({ error: { code: 'unavailable', message: `${down} unavailable: ${postgres ?? temporal}` }, checks }, 503);
  });
  // Production with no metrics token keeps unauthenticated metrics off the public listener (docs/operations.md).
  if (where === 'api' && !config.metricsOnApi) return app;
  app.get('/metrics', metricsAuth(config.metricsToken), async (c) => {
    // With Postgres down the process's own counters matter most: answer with them alone.
    const estimates = await tableRowEstimates(sql, ESTIMATED_TABLES).catch((err: unknown) => {
      if (isDependencyUnavailable(err)) return [];
      throw err;
    });
    const backlog = await deploymentBacklogWithoutWaiting(sql).catch((err: unknown) => {
      if (isDependencyUnavailable(err)) return null;
      throw err;
    });
    if (backlog) {
      const age = (at: Date | null) => (at ? Math.max(0, (Date.now() - at.getTime()) / 1000) : 0);
      metrics.outboxRows.set(backlog.outboxRows);
      metrics.outboxOldestAge.set(age(backlog.outboxOldest));
      metrics.pendingDeliveries.set(backlog.pendingDeliveries);
      metrics.pendingOldestAge.set(age(backlog.pendingOldest));
    }
    const lines = [
      '# HELP hookline_table_rows_estimate Rows in a table, as Postgres estimates them (pg_class.reltuples)',
      '# TYPE hookline_table_rows_estimate gauge',
      ...estimates.map((e) => `hookline_table_rows_estimate{table="${e.table}"} ${Math.round(e.rows)}`),
    ];
    const body = `${await metrics.registry.metrics()}\n${lines.join('\n')}\n`;
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
