import type { Sql } from '../sql';

/**
 * The planner's row counts (pg_class.reltuples, kept current by autovacuum): read from the catalogue,
 * so a scrape scans no table and takes no lock on one. A table never analysed yet is left out.
 */
export async function tableRowEstimates(sql: Sql, tables: readonly string[]): Promise<{ table: string; rows: number }[]> {
  return sql<{ table: string; rows: number }[]>`
    select c.relname as table, c.reltuples::float8 as rows from pg_class c
    where c.relname = any(${tables as string[]}::text[]) and c.relkind = 'r' and pg_table_is_visible(c.oid) and c.reltuples >= 0
    order by c.relname`;
}
