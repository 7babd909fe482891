import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { Sql } from '../db/sql';

export interface ApiDeps {
  config: Config;
  sql: Sql;
  log: Logger;
  metrics: Metrics;
}
