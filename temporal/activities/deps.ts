import type { Client } from '@temporalio/client';
import type { Config } from '../../infra/config';
import type { Logger } from '../../infra/logger';
import type { Metrics } from '../../infra/metrics';
import type { WebhookFetch } from '../../infra/webhook-fetch';
import type { Sql } from '../../db/sql';
import type { SendGate } from './deliver/send-gate';

/** What activities need from the outside world; the worker builds the real ones, tests may build others. */
export interface ActivityDeps {
  sql: Sql;
  fetch: WebhookFetch;
  config: Config;
  log: Logger;
  metrics: Metrics;
  client: Client;
  /** The worker's share of send slots, when its relay shares it (temporal/activities/deliver/send-gate.ts); else each deliver activity set makes its own. */
  sendGate?: SendGate;
}
