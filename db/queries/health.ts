import type { Sql } from '../sql';

/** The cheapest query that proves this process can reach Postgres and run a statement. */
export async function pingDatabase(sql: Sql): Promise<void> {
  await sql`select 1`;
}
