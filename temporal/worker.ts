import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Worker, ActivityInterceptorsFactory, InjectedSinks, NativeConnection } from '@temporalio/worker';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Client } from '@temporalio/client';
import { createActivities } from './activities';
import type { SendGate } from './activities/deliver/send-gate';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { createWebhookFetch, type WebhookFetch } from '../infra/webhook-fetch';
import type { Sql } from '../db/sql';
import { ensurePurgeSchedule } from './schedules';
import { syncOperatorWebhook } from '../services/operator-webhook';
import { OpenTelemetryActivityInboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { Tracing } from '../infra/tracing';
import { bundleFile, bundleOptions, type BundleKind } from './workflow-bundles';
import { sandboxedWorker, type OnWorkflowStall } from './workflow-sandbox';

export interface WorkerDeps {
  config: Config;
  sql: Sql;
  connection: NativeConnection;
  client: Client;
  log: Logger;
  metrics: Metrics;
  fetch?: WebhookFetch;
  /** A prebuilt bundle without interceptors; when absent, `npm run build`'s one beside the compiled code, else bundled at start. */
  workflowBundle?: { codePath: string };
  /** The same with the tracing interceptors, used instead when tracing is on. */
  tracedWorkflowBundle?: { codePath: string };
  tracing?: Tracing;
  /** The process's send gate, shared with its relay (temporal/activities/deliver/fair-share.ts). */
  sendGate?: SendGate;
  /** Workflow code has not answered for HOOKLINE_WORKFLOW_STALL_LIMIT: bin/run.ts exits; logged when absent. */
  onWorkflowStall?: OnWorkflowStall;
}

/** `npm run build` writes them here, beside dist/temporal/. */
const DIST = path.resolve(__dirname, '..');

/** The bundle for this worker: with the tracing interceptors only when tracing is on (temporal/workflow-bundles.ts). */
function workflowSource(deps: WorkerDeps): { workflowBundle: { codePath: string } } | { workflowsPath: string; interceptorModules: string[] } {
  const kind: BundleKind = deps.tracing ? 'traced' : 'plain';
  const given = kind === 'traced' ? deps.tracedWorkflowBundle : deps.workflowBundle;
  if (given) return { workflowBundle: given };
  if (existsSync(bundleFile(DIST, kind))) return { workflowBundle: { codePath: bundleFile(DIST, kind) } };
  const { workflowsPath, workflowInterceptorModules } = bundleOptions(kind);
  return { workflowsPath, interceptorModules: workflowInterceptorModules };
}

/**
 * Tracing: activities continue the trace their workflow passed in headers; spans made inside
 * workflows leave through the `exporter` sink. The sink is there even when tracing is off here, as a
 * no-op, so a run traced by another process's client does not log a missing sink.
 */
function tracingOptions(tracing: Tracing | undefined): { sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>; activity: ActivityInterceptorsFactory[] } {
  if (!tracing) return { sinks: { exporter: { export: { fn: () => {} } } }, activity: [] };
  return {
    sinks: { exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
    activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })],
  };
}

/**
 * What a worker costs per unit of time rather than per delivery, set for short workflows.
 * - Pollers scale with the work (autoscaling) instead of 10 long polls per queue held open all the
 *   time: with first attempts local, the activity queue is mostly empty, and every idle poll is a
 *   request the server's matching service holds and answers empty every minute, on every worker.
 * - A cached workflow is only worth its memory while it runs: a delivery finishes in one task, so the
 *   cache mostly holds endpoint workflows (one per endpoint with recent traffic). The SDK's default
 *   sizes it from the heap (about 2,000 on a 4 GiB heap); 1,000 keeps the hot endpoints and bounds
 *   the worker's memory. A miss costs one replay of a short history.
 * The sticky timeout (HOOKLINE_STICKY_TIMEOUT, 5 s) is not among them: it bounds how long a stalled
 * or dead worker holds the runs it has cached (their timers fire into its sticky queue) while another
 * worker is up, so it is kept short; a miss costs a replay of the run's history on another worker.
 */
const WORKFLOW_TASK_SLOTS_BESIDE_SENDS = 40;

const COST_OPTIONS = {
  workflowTaskPollerBehavior: { type: 'autoscaling', minimum: 1, initial: 2, maximum: 10 },
  activityTaskPollerBehavior: { type: 'autoscaling', minimum: 1, initial: 2, maximum: 10 },
  maxCachedWorkflows: 1_000,
} as const;

export async function createHooklineWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  await syncOperatorWebhook(deps);
  const fetch = deps.fetch ?? createWebhookFetch({ refusePrivateTargets: config.production && !config.allowPrivateTargets, refuseMetadataTargets: config.production, requireHttps: config.production, proxy: config.egressProxy });
  const source = workflowSource(deps);
  deps.log.info({ workflows: 'workflowBundle' in source ? source.workflowBundle.codePath : 'bundled at start' }, 'worker starting');
  // Retention: a worker that cannot reach the schedule API still serves deliveries; the next start tries again.
  await ensurePurgeSchedule(deps.client, config, deps.log).catch((err: unknown) =>
    deps.log.warn({ err: { message: (err as Error).message } }, 'could not create the purge schedule'),
  );
  const traced = tracingOptions(deps.tracing);
  const onStall: OnWorkflowStall = deps.onWorkflowStall ?? ((stalledMs) => deps.log.error({ stalledMs }, 'workflow code has not answered an activation'));
  return sandboxedWorker({ stall: { stallMs: config.workflowStallMs, onStall }, stackTraces: config.workflowStackTraces }).create({
    connection: deps.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...('workflowBundle' in source ? { workflowBundle: source.workflowBundle } : { workflowsPath: source.workflowsPath }),
    sinks: traced.sinks,
    interceptors: {
      activity: traced.activity,
      ...('workflowsPath' in source ? { workflowModules: source.interceptorModules } : {}),
    },
    activities: createActivities({ ...deps, fetch }),
    // Twice the send slots: room for the activities that do not send (records, the endpoint's) beside
    // a full set of sends; at most workerConcurrency send at once (temporal/activities/deliver/send-gate.ts).
    maxConcurrentActivityTaskExecutions: config.workerConcurrency * 2,
    // First attempts are local activities (temporal/workflows/delivery.ts): the same cap as the
    // send slots, so a burst of eager starts cannot send more at once than the regular path may.
    maxConcurrentLocalActivityExecutions: config.workerConcurrency,
    // A workflow task keeps its slot while its local activity runs, so a slot per local send on top
    // of the SDK's default 40: hanging first attempts (up to every send slot) never take the slots
    // that every other delivery, endpoint and recovery workflow needs to make progress.
    maxConcurrentWorkflowTaskExecutions: config.workerConcurrency + WORKFLOW_TASK_SLOTS_BESIDE_SENDS,
    ...COST_OPTIONS,
    maxCachedWorkflows: Math.max(COST_OPTIONS.maxCachedWorkflows, config.workerConcurrency + WORKFLOW_TASK_SLOTS_BESIDE_SENDS),
    stickyQueueScheduleToStartTimeout: config.stickyTimeoutMs,
  });
}
