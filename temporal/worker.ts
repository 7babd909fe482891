import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from './activities';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { createWebhookFetch, type WebhookFetch } from '../infra/webhook-fetch';
import type { Sql } from '../db/sql';
import { syncOperatorWebhook } from './operator-webhook';

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
}

/** `npm run build` writes it here: dist/workflow-bundle.js, beside dist/temporal/. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

function workflowSource(deps: WorkerDeps): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (deps.workflowBundle) return { workflowBundle: deps.workflowBundle };
  if (existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  return { workflowsPath: require.resolve('./workflows') };
}

export async function createHooklineWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  await syncOperatorWebhook(deps);
  const fetch = deps.fetch ?? createWebhookFetch({ refusePrivateTargets: config.production && !config.allowPrivateTargets, requireHttps: config.production });
  const source = workflowSource(deps);
  deps.log.info({ workflows: 'workflowBundle' in source ? source.workflowBundle.codePath : 'bundled at start' }, 'worker starting');
  return Worker.create({
    connection: deps.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...source,
    activities: createActivities({ ...deps, fetch }),
    // Twice the send slots: sends over an endpoint's fair share wait for a slot without holding
    // up the others (temporal/activities/send-gate.ts); at most workerConcurrency actually send.
    maxConcurrentActivityTaskExecutions: config.workerConcurrency * 2,
  });
}
