import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { Sql } from '../db/sql';

export interface ApiDeps {
  config: Config;
  sql: Sql;
  client: Client;
  log: Logger;
  metrics: Metrics;
}
