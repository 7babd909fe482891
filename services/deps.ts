import type { Config } from '../infra/config';
import type { Sql } from '../db/sql';

/** What use cases need: the database, and the config (limits, keys, and the task queue outbox rows are for). */
export interface ServiceDeps {
  sql: Sql;
  config: Config;
}
