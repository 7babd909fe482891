import type { Logger } from '../infra/logger';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const EXIT_CODE: Record<(typeof STOP_SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Keeps a stop signal that arrives again while the process stops from ending it mid-shutdown. Ctrl-C
 * on `npm run worker` reaches the process twice (the terminal signals the process group, and tsx
 * relays it to its child too), and the Temporal SDK stops listening after the first, so the second
 * took Node's default action: an exit in the middle of the worker's shutdown. A repeat within
 * `sameStopMs` of the first is that same stop; a later one is an operator who wants out now, and gets
 * the usual exit code of the signal. Returns the function that stops listening.
 */
export function holdRepeatedStopSignals(log: Logger, opts: { sameStopMs?: number; now?: () => number; exit?: (code: number) => void } = {}): () => void {
  const { sameStopMs = 3_000, now = Date.now, exit = (code: number) => process.exit(code) } = opts;
  let firstAt: number | undefined;
  const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
    if (firstAt === undefined) {
      firstAt = now();
      return;
    }
    if (now() - firstAt < sameStopMs) return;
    log.warn({ signal }, 'stop signal received again while stopping: exiting now');
    exit(EXIT_CODE[signal]);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return () => STOP_SIGNALS.forEach((signal) => process.off(signal, onSignal));
}
