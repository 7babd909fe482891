import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../infra/logger';

const SDK_LEVEL: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let target: Logger | undefined;

/**
 * Routes the Temporal SDK's own logs (worker, core) into our pino logger, so a process writes one
 * JSON stream. The SDK's runtime is process-wide and installed once; later calls (tests start
 * several stacks in one process) only change which logger receives the lines.
 */
export function installSdkLogger(log: Logger): void {
  const first = target === undefined;
  target = log;
  if (!first) return;
  const logger = new DefaultLogger(SDK_LEVEL[log.level] ?? 'ERROR', (entry) => {
    target?.[PINO_METHOD[entry.level]]({ sdk: true, ...entry.meta }, entry.message);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // Installed already in this process (a test file before this one): keep that runtime.
  }
}
