import type { Worker } from '@temporalio/worker';
import { serveApi, serveOps, type RunningApi } from '../api/server';
import type { Config } from '../infra/config';
import { startRelay, type Relay } from '../temporal/relay';
import { createHooklineWorker } from '../temporal/worker';
import { createBaseRuntime, createRuntime } from './runtime';

export interface RunOptions {
  api: boolean;
  worker: boolean;
  name: string;
  onStarted?: (running: { api?: RunningApi; ops?: RunningApi }) => void;
  /** A prebuilt workflow bundle (tests); else as `createHooklineWorker` finds one. */
  workflowBundle?: { codePath: string };
  /** Stops the run when it settles, as SIGINT/SIGTERM do (tests run several in one process). */
  until?: Promise<unknown>;
}

/**
 * Runs the API, a worker, or both in this process until SIGINT/SIGTERM, then stops them (a worker
 * after its in-flight tasks) and closes every connection.
 */
export async function runHookline(config: Config, opts: RunOptions): Promise<void> {
  // An API alone never talks to Temporal, so it starts (and accepts events) while Temporal is down.
  const withTemporal = opts.worker ? await createRuntime(config, { name: opts.name }) : undefined;
  const runtime = withTemporal ?? (await createBaseRuntime(config, { name: opts.name }));
  let worker: Worker | undefined;
  let api: RunningApi | undefined;
  let relay: Relay | undefined;
  let ops: RunningApi | undefined;
  try {
    if (withTemporal) {
      worker = await createHooklineWorker({ ...withTemporal, workflowBundle: opts.workflowBundle });
      relay = startRelay({ ...withTemporal, taskQueue: config.temporal.taskQueue, localSend: config.localSend, localFirst: config.localFirstAttempt });
    }
    if (opts.api) api = await serveApi(runtime, config.port);
    // Alone, a worker has no API to expose its counters: it serves them itself, when asked to.
    else if (worker && config.workerMetricsPort) ops = await serveOps(runtime, config.workerMetricsPort);
    opts.onStarted?.({ api, ops });
    runtime.log.info({ api: api?.url, metrics: ops?.url, worker: Boolean(worker), temporal: config.temporal.address, taskQueue: config.temporal.taskQueue }, 'hookline started');
    if (worker) {
      const running = worker;
      void opts.until?.then(() => running.getState() === 'RUNNING' && running.shutdown());
      await running.run(); // the SDK stops it on SIGINT/SIGTERM
    } else {
      await new Promise<void>((resolve) => {
        ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve()));
        void opts.until?.then(() => resolve());
      });
    }
  } finally {
    await relay?.stop();
    await ops?.close();
    await api?.close();
    await runtime.close();
  }
}

/** For entry points: run, and turn a failure to start into one line and exit code 1. */
export function runMain(name: string, start: () => Promise<void>): void {
  start().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`${name} failed: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
