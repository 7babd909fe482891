import { foldStats } from '../../db/queries/stats';
import type { Sql } from '../../db/sql';
import { waitFor } from '../../tools/testkit/wait';

/**
 * Folds until none of the tenant's statistics changes is left in either log. A fold that finds
 * another under way (a worker's folder, another test's fold) moves nothing and leaves the rest to
 * it, so "a fold moved 0" does not mean the tenant's changes are folded: wait for that instead.
 */
export async function foldTenant(sql: Sql, tenantId: string): Promise<void> {
  await waitFor(
    async () => {
      while ((await foldStats(sql, 1_000)) > 0);
      const [left] = await sql<{ n: number }[]>`
        select (select count(*) from delivery_stats_changes where tenant_id = ${tenantId})::int
             + (select count(*) from delivery_stats_by_tenant_changes where tenant_id = ${tenantId})::int as n`;
      return left!.n === 0;
    },
    { what: `the statistics changes of ${tenantId} to be folded` },
  );
}
