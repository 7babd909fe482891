import type { Worker } from '@temporalio/worker';
import { serveApi, serveOps, type RunningApi } from '../api/server';
import { ConfigError, type Config } from '../infra/config';
import { ListenError } from '../api/listen-error';
import { announceStart } from './announce-start';
import { createWorkerSendGate } from '../temporal/activities/deliver/fair-share';
import { startRelay, type Relay } from '../temporal/relay';
import { startStatsFolder, type StatsFolder } from '../temporal/stats-folder';
import { createHooklineWorker } from '../temporal/worker';
import type { OnWorkflowStall } from '../temporal/workflow-sandbox';
import type { Logger } from '../infra/logger';
import { createBaseRuntime, createRuntime } from './runtime';
import { holdRepeatedStopSignals } from './repeated-signals';

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
  let statsFolder: StatsFolder | undefined;
  let ops: RunningApi | undefined;
  let releaseSignals: (() => void) | undefined;
  try {
    // Listeners first: a busy port or a wrong host stops the start before the worker takes any task.
    if (opts.api) api = await bind('PORT', 'HOST', () => serveApi(runtime, config.port, config.host));
    if (config.metricsListener) {
      const { port, host } = config.metricsListener;
      ops = await bind('HOOKLINE_METRICS_PORT', 'HOOKLINE_METRICS_HOST', () => serveOps(runtime, port, host));
    }
    if (withTemporal) {
      // One send gate for the process: its sends take their share of it, its relay starts no more than the share has room for.
      const sendGate = createWorkerSendGate(config);
      worker = await createHooklineWorker({ ...withTemporal, workflowBundle: opts.workflowBundle, sendGate, onWorkflowStall: exitOnStall(runtime.log) });
      relay = startRelay({ ...withTemporal, taskQueue: config.temporal.taskQueue, localSend: config.localSend, localFirst: config.localFirstAttempt, sendGate });
      statsFolder = startStatsFolder(withTemporal);
    }
    opts.onStarted?.({ api, ops });
    announceStart(runtime.log, config, { api: api?.url, metrics: ops?.url, worker: Boolean(worker) });
    // From here a stop signal is the SDK's or the wait's below; a repeat of it must not cut the stop short.
    releaseSignals = holdRepeatedStopSignals(runtime.log);
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
    await statsFolder?.stop();
    await ops?.close();
    await api?.close();
    await runtime.close();
    releaseSignals?.();
  }
}

/** EX_SOFTWARE: the process stopped itself for a fault in its own code. */
export const EXIT_WORKFLOW_STALL = 70;

/**
 * A workflow thread stuck in workflow code cannot be freed from inside the process, and the worker
 * would keep taking tasks it can never finish: stop, so the supervisor starts a fresh process and the
 * server hands the tasks to other workers meanwhile.
 */
function exitOnStall(log: Logger): OnWorkflowStall {
  return (stalledMs) => {
    log.fatal({ stalledMs }, 'workflow code has not answered an activation; stopping the worker so it can be restarted');
    process.exit(EXIT_WORKFLOW_STALL);
  };
}

/** Turns a bind failure into a configuration error naming the settings to change. */
async function bind(portVariable: string, hostVariable: string, serve: () => Promise<RunningApi>): Promise<RunningApi> {
  try {
    return await serve();
  } catch (err) {
    if (err instanceof ListenError) {
      const setting = err.code === 'EADDRINUSE' || err.code === 'EACCES' ? portVariable : hostVariable;
      throw new ConfigError(`${setting}: ${err.message}`);
    }
    throw err;
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
