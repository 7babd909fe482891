import type { Logger } from '../infra/logger';
import { foldStats } from '../db/queries/stats';
import type { Sql } from '../db/sql';

export interface StatsFolder {
  stop(): Promise<void>;
}

export interface StatsFolderOptions {
  /** Changes moved per transaction. */
  batchSize?: number;
  /** The pause after a fold that moved changes. */
  busyMs?: number;
  /** The pause after a fold that found none. */
  idleMs?: number;
}

const sleep = (ms: number, wake: (fn: () => void) => void) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake(() => (clearTimeout(timer), resolve()));
  });

/**
 * Moves the statistics' change logs into their rows, per tenant (db/migrations/023) and per endpoint
 * (025), in every worker process: figures are exact whether a change is folded or not, so this only
 * keeps the logs short for readers. Every second while there are changes, every ten when there were none.
 */
export function startStatsFolder(deps: { sql: Sql; log: Logger }, opts: StatsFolderOptions = {}): StatsFolder {
  const batchSize = opts.batchSize ?? 5_000;
  const busyMs = opts.busyMs ?? 1_000;
  const idleMs = opts.idleMs ?? 10_000;
  let running = true;
  let wakeNow: (() => void) | undefined;
  const loop = (async () => {
    let failures = 0;
    while (running) {
      let moved = 0;
      try {
        moved = await foldStats(deps.sql, batchSize);
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 30 === 0) deps.log.warn({ err: { message: (err as Error).message }, failures }, 'stats: folding the change logs failed, will retry');
      }
      if (!running) break;
      // A full batch may have left more: fold again at once.
      if (moved >= batchSize) continue;
      await sleep(moved > 0 || failures > 0 ? busyMs : idleMs, (fn) => (wakeNow = fn));
      wakeNow = undefined;
    }
  })();
  return {
    async stop() {
      running = false;
      wakeNow?.();
      await loop;
    },
  };
}
