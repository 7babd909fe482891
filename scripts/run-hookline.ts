import { serveApi, type RunningApi } from '../api/server';
import type { Config } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { connectTemporalClient } from '../lib/temporal-client';
import { createSql } from '../db/sql';
import { createHooklineWorker } from '../worker/create-worker';

/** API and worker in this process; resolves once SIGINT/SIGTERM has stopped both and closed every connection. */
export async function runHookline(config: Config, onStarted: (api: RunningApi) => void): Promise<void> {
  const log = createLogger(config.logLevel);
  const sql = createSql(config.databaseUrl, { max: config.databasePoolSize });
  const client = await connectTemporalClient(config);
  const metrics = createMetrics();
  const { worker, connection } = await createHooklineWorker({ config, sql, client, log, metrics });
  const api = await serveApi({ config, sql, client, log, metrics }, config.port);
  onStarted(api);
  try {
    await worker.run(); // the SDK stops it on SIGINT/SIGTERM, after in-flight tasks finish
  } finally {
    await api.close();
    await Promise.allSettled([connection.close(), client.connection.close(), sql.end({ timeout: 5 })]);
  }
}
