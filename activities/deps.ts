import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { WebhookFetch } from '../lib/webhook-fetch';
import type { Sql } from '../db/sql';

/** What activities need from the outside world; the worker builds the real ones, tests may build others. */
export interface ActivityDeps {
  sql: Sql;
  fetch: WebhookFetch;
  config: Config;
  log: Logger;
  metrics: Metrics;
  client: Client;
}
