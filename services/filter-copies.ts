import { tenantFilters, type FilterVersion } from '../db/queries/publish';
import type { Sql, Tx } from '../db/sql';

/**
 * Each API process keeps a copy of a tenant's endpoint filters for a few seconds, so publishing can
 * match them before its one statement instead of after it with a second. The copy is only a guess:
 * the statement checks every subscribed filter's version against it and ignores it when one differs
 * (a filter changed, a filtered endpoint added), and publishing then matches what the statement
 * returns and forgets the copy.
 */
const COPY_TTL_MS = 5_000;
const MAX_TENANTS = 10_000;

const copies = new WeakMap<Sql, Map<string, { at: number; filters: FilterVersion[] }>>();

export async function filterCopy(sql: Sql, tx: Tx, tenantId: string): Promise<FilterVersion[]> {
  let byTenant = copies.get(sql);
  if (!byTenant) copies.set(sql, (byTenant = new Map()));
  const held = byTenant.get(tenantId);
  if (held && Date.now() - held.at < COPY_TTL_MS) return held.filters;
  const filters = await tenantFilters(tx);
  if (byTenant.size >= MAX_TENANTS) byTenant.delete(byTenant.keys().next().value!);
  byTenant.set(tenantId, { at: Date.now(), filters });
  return filters;
}

export function forgetFilterCopy(sql: Sql, tenantId: string): void {
  copies.get(sql)?.delete(tenantId);
}
