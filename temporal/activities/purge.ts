import { nextTenantToPurge, purgeTenantBatch, type PurgedCounts } from '../../db/queries/retention';
import { withTenant } from '../../db/sql';
import type { PurgePosition } from '../workflows/types';
import type { ActivityDeps } from './deps';

export interface PurgeBatchResult extends PurgedCounts {
  /** The tenant this batch purged, if any tenant was left. */
  tenantId: string | null;
  /** Where the next batch starts; null when every tenant is done. */
  next: PurgePosition | null;
}

/**
 * One bounded batch of the purge: the tenant at `position` (the same one again while it has more
 * to delete, else the next in id order whose retention is not 0), its oldest expired rows. Safe to
 * run again after a crash: it deletes only what is expired at the time it runs.
 */
export function createPurgeBatch({ sql, config, log }: ActivityDeps) {
  return async function purgeBatch(position: PurgePosition): Promise<PurgeBatchResult> {
    const tenant = await nextTenantToPurge(sql, { from: position.tenantId, inclusive: !position.pastIt, defaultDays: config.retention.days });
    if (!tenant) return { tenantId: null, next: null, deliveries: 0, attempts: 0, events: 0, recoveries: 0 };
    const { more, ...counts } = await withTenant(sql, tenant.id, (tx) => purgeTenantBatch(tx, tenant.id, tenant.days, config.retention.purgeBatch));
    if (counts.deliveries + counts.events + counts.recoveries > 0) log.info({ tenantId: tenant.id, retentionDays: tenant.days, ...counts }, 'purged expired rows');
    return { tenantId: tenant.id, next: { tenantId: tenant.id, pastIt: !more }, ...counts };
  };
}
