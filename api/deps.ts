import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { Sql } from '../db/sql';

export interface ApiDeps {
  config: Config;
  sql: Sql;
  client: Client;
  log: Logger;
  metrics: Metrics;
}
