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
}

const ESTIMATED_TABLES = ['deliveries', 'endpoints', 'events'] as const;

/**
 * Liveness and Prometheus metrics, served by the API and, alone, by a worker on its metrics port.
 * Metrics are this process's counters (a worker's deliveries, an API's publishes) and the
 * catalogue's row estimates: nothing a scrape does grows with the tables.
 */
export function probeRoutes({ config, metrics, sql }: ProbeDeps) {
  const app = createRouter();
  app.get('/healthz', (c) => c.json({ status: 'ok', version: config.version }));
  app.get('/metrics', metricsAuth(config.metricsToken), async (c) => {
    // With Postgres down the process's own counters matter most: answer with them alone.
    const estimates = await tableRowEstimates(sql, ESTIMATED_TABLES).catch((err: unknown) => {
      if (isDependencyUnavailable(err)) return [];
      throw err;
    });
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
