import { serve, type ServerType } from '@hono/node-server';
import { loadConfigOrExit, type Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { createMetrics, type Metrics } from '../lib/metrics';
import { connectTemporalClient } from '../lib/temporal-client';
import { createSql, type Sql } from '../db/sql';
import type { Client } from '@temporalio/client';
import { createApp } from './app';

export interface RunningApi {
  server: ServerType;
  url: string;
  close(): Promise<void>;
}

/** Serves the API on `port` (0 = any free port) with the given dependencies. */
export function serveApi(deps: { config: Config; sql: Sql; client: Client; log: Logger; metrics: Metrics }, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'hookline-api');
  const sql = createSql(config.databaseUrl, { max: config.databasePoolSize });
  const client = await connectTemporalClient(config);
  const api = await serveApi({ config, sql, client, log, metrics: createMetrics() }, config.port);
  log.info({ url: api.url }, 'api listening');
  const stop = async () => {
    await api.close();
    await Promise.allSettled([sql.end({ timeout: 5 }), client.connection.close()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`hookline api failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
