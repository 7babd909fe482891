import { serveApi } from '../api/server';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { connectTemporalClient } from '../lib/temporal-client';
import { createSql } from '../db/sql';
import { createHooklineWorker } from '../worker/create-worker';

/** `npm start`: the API and a worker in one process, against TEMPORAL_ADDRESS and DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  const sql = createSql(config.databaseUrl, { max: 20 });
  const client = await connectTemporalClient(config);
  const metrics = createMetrics();
  const { worker, connection } = await createHooklineWorker({ config, sql, client, log, metrics });
  const api = await serveApi({ config, sql, client, log, metrics }, config.port);
  log.info({ api: api.url, temporal: config.temporal.address, taskQueue: config.temporal.taskQueue }, 'hookline started');
  await worker.run(); // until SIGINT/SIGTERM
  await api.close();
  await Promise.allSettled([connection.close(), client.connection.close(), sql.end({ timeout: 5 })]);
}

main().catch((err) => {
  console.error(`hookline failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
