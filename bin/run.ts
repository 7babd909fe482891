import type { Worker } from '@temporalio/worker';
import { serveApi, type RunningApi } from '../api/server';
import type { Config } from '../infra/config';
import { startRelay, type Relay } from '../temporal/relay';
import { createHooklineWorker } from '../temporal/worker';
import { createRuntime } from './runtime';

export interface RunOptions {
  api: boolean;
  worker: boolean;
  name: string;
  onStarted?: (running: { api?: RunningApi }) => void;
}

/**
 * Runs the API, a worker, or both in this process until SIGINT/SIGTERM, then stops them (a worker
 * after its in-flight tasks) and closes every connection.
 */
export async function runHookline(config: Config, opts: RunOptions): Promise<void> {
  const runtime = await createRuntime(config, { name: opts.name });
  let worker: Worker | undefined;
  let api: RunningApi | undefined;
  let relay: Relay | undefined;
  try {
    if (opts.worker) {
      worker = await createHooklineWorker(runtime);
      relay = startRelay({ ...runtime, taskQueue: config.temporal.taskQueue, localSend: config.localSend });
    }
    if (opts.api) api = await serveApi(runtime, config.port);
    opts.onStarted?.({ api });
    runtime.log.info({ api: api?.url, worker: Boolean(worker), temporal: config.temporal.address, taskQueue: config.temporal.taskQueue }, 'hookline started');
    if (worker) await worker.run(); // the SDK stops it on SIGINT/SIGTERM
    else await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve())));
  } finally {
    await relay?.stop();
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
