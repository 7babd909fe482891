import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { connectTemporalClient } from '../lib/temporal-client';
import { createSql } from '../db/sql';
import { createHooklineWorker } from './create-worker';

/** `npm run worker`: one worker process; run as many as you like against the same Temporal and Postgres. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'hookline-worker');
  const sql = createSql(config.databaseUrl, { max: config.databasePoolSize });
  const client = await connectTemporalClient(config);
  const { worker, connection } = await createHooklineWorker({ config, sql, client, log, metrics: createMetrics() });
  log.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address }, 'worker started');
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await Promise.allSettled([connection.close(), client.connection.close(), sql.end({ timeout: 5 })]);
  }
}

main().catch((err) => {
  console.error(`hookline worker failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
