import { forEachLimited } from '../../infra/concurrency';
import { eventDeliveriesAfter } from '../../db/queries/deliveries';
import { withTenant } from '../../db/sql';
import { startDeliveryWorkflow } from '../client';
import type { FanOutInput } from '../workflows/types';
import type { ActivityDeps } from './deps';

const BATCH = 500;

/**
 * Kept for fan-out workflows started by versions before the outbox (the relay starts deliveries
 * now): starts one event's delivery workflows, a batch at a time, in delivery-id order.
 */
export function createFanOutBatch({ sql, client, config }: ActivityDeps) {
  return async function fanOutBatch(input: FanOutInput & { after: string | null }): Promise<{ started: number; lastDeliveryId: string | null }> {
    const rows = await withTenant(sql, input.tenantId, (tx) => eventDeliveriesAfter(tx, input.eventId, input.after ?? '', BATCH));
    await forEachLimited(rows.length, 64, (i) =>
      startDeliveryWorkflow(client, config.temporal.taskQueue, {
        deliveryId: rows[i]!.id,
        tenantId: input.tenantId,
        endpointId: rows[i]!.endpointId,
        eventId: input.eventId,
        eventType: input.eventType,
        kind: 'event',
      }),
    );
    return { started: rows.length, lastDeliveryId: rows.length === BATCH ? rows[rows.length - 1]!.id : null };
  };
}
