import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker, type ActivityInterceptorsFactory, type InjectedSinks, type NativeConnection } from '@temporalio/worker';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Client } from '@temporalio/client';
import { createActivities } from './activities';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { createWebhookFetch, type WebhookFetch } from '../infra/webhook-fetch';
import type { Sql } from '../db/sql';
import { ensurePurgeSchedule } from './schedules';
import { syncOperatorWebhook } from '../services/operator-webhook';
import { OpenTelemetryActivityInboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { Tracing } from '../infra/tracing';

export interface WorkerDeps {
  config: Config;
  sql: Sql;
  connection: NativeConnection;
  client: Client;
  log: Logger;
  metrics: Metrics;
  fetch?: WebhookFetch;
  /** A prebuilt bundle; when absent, `npm run build`'s one beside the compiled code, else bundled at start. */
  workflowBundle?: { codePath: string };
  tracing?: Tracing;
}

/** `npm run build` writes it here: dist/workflow-bundle.js, beside dist/temporal/. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

function workflowSource(deps: WorkerDeps): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (deps.workflowBundle) return { workflowBundle: deps.workflowBundle };
  if (existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  return { workflowsPath: require.resolve('./workflows') };
}

/** Bundled with the workflows everywhere they are bundled (build, tests, histories): see the module. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflows/tracing-interceptors')];

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

export async function createHooklineWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  await syncOperatorWebhook(deps);
  const fetch = deps.fetch ?? createWebhookFetch({ refusePrivateTargets: config.production && !config.allowPrivateTargets, requireHttps: config.production });
  const source = workflowSource(deps);
  deps.log.info({ workflows: 'workflowBundle' in source ? source.workflowBundle.codePath : 'bundled at start' }, 'worker starting');
  // Retention: a worker that cannot reach the schedule API still serves deliveries; the next start tries again.
  await ensurePurgeSchedule(deps.client, config, deps.log).catch((err: unknown) =>
    deps.log.warn({ err: { message: (err as Error).message } }, 'could not create the purge schedule'),
  );
  const traced = tracingOptions(deps.tracing);
  return Worker.create({
    connection: deps.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...source,
    sinks: traced.sinks,
    interceptors: {
      activity: traced.activity,
      ...('workflowsPath' in source ? { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } : {}),
    },
    activities: createActivities({ ...deps, fetch }),
    // Twice the send slots: sends over an endpoint's fair share wait for a slot without holding
    // up the others (temporal/activities/deliver/send-gate.ts); at most workerConcurrency actually send.
    maxConcurrentActivityTaskExecutions: config.workerConcurrency * 2,
  });
}
