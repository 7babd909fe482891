import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import { createRepeatLimiter, repeatKind } from './log-repeats';

const SDK_LEVEL: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };
// The core's INFO lines are its own bookkeeping (pollers, connections); an operator at `info` wants its warnings.
const CORE_LEVEL: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'WARN', warn: 'WARN' };
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const REPEAT_WINDOW_MS = 60_000;

let target: Logger | undefined;

/**
 * Routes the Temporal SDK's own logs into our pino logger, so a process writes one JSON stream: the
 * TypeScript side's and the native core's (forwarded; by default the core writes coloured text to
 * stderr). The core's lines are bounded per kind (temporal/log-repeats.ts). The SDK's runtime is
 * process-wide and installed once; later calls (tests start several stacks in one process) only
 * change which logger receives the lines.
 */
export function installSdkLogger(log: Logger): void {
  const first = target === undefined;
  target = log;
  if (!first) return;
  const admit = createRepeatLimiter({ windowMs: REPEAT_WINDOW_MS });
  const logger = new DefaultLogger(SDK_LEVEL[log.level] ?? 'ERROR', (entry) => {
    const meta = entry.meta ?? {};
    let repeats: { repeatsSinceLast?: number } = {};
    if (meta.sdkComponent === 'core') {
      const verdict = admit(repeatKind(entry.level, meta.target, entry.message));
      if (!verdict.pass) return;
      if (verdict.suppressed) repeats = { repeatsSinceLast: verdict.suppressed };
    }
    target?.[PINO_METHOD[entry.level]]({ sdk: true, ...meta, ...repeats }, entry.message);
  });
  const core = CORE_LEVEL[log.level] ?? 'ERROR';
  try {
    Runtime.install({ logger, telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core, other: 'ERROR' }) } } });
  } catch {
    // Installed already in this process (a test file before this one): keep that runtime.
  }
}
