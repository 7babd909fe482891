import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';

/**
 * The one line that says a process is up, written whatever LOG_LEVEL says (an operator running at
 * `warn` still learns where the API listens), unless logs are muted altogether (`silent`).
 */
export function announceStart(log: Logger, config: Config, running: { api?: string; metrics?: string; worker: boolean }): void {
  const line = log.level === 'silent' ? log : log.child({}, { level: 'info' });
  line.info(
    {
      api: running.api,
      metrics: running.metrics,
      worker: running.worker,
      version: config.version,
      node: process.version,
      temporal: config.temporal.address,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
    },
    running.api ? `hookline ${config.version} listening on ${running.api}` : `hookline ${config.version} worker started`,
  );
}
