import { NativeConnection, Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from '../activities';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { createWebhookFetch, type WebhookFetch } from '../lib/webhook-fetch';
import type { Sql } from '../db/sql';

export interface WorkerDeps {
  config: Config;
  sql: Sql;
  client: Client;
  log: Logger;
  metrics: Metrics;
  fetch?: WebhookFetch;
  /** A pre-built bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: { codePath: string };
}

export async function createHooklineWorker(deps: WorkerDeps): Promise<{ worker: Worker; connection: NativeConnection }> {
  const { config } = deps;
  const connection = await NativeConnection.connect({
    address: config.temporal.address,
    tls: config.temporal.tls || undefined,
    apiKey: config.temporal.apiKey,
  });
  const fetch = deps.fetch ?? createWebhookFetch({ refusePrivateTargets: config.production && !config.allowPrivateTargets });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ ...deps, fetch }),
    maxConcurrentActivityTaskExecutions: config.workerConcurrency,
  });
  return { worker, connection };
}
