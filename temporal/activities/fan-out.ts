import { withTenant } from '../../db/sql';
import { startDeliveryWorkflows } from '../client';
import type { FanOutInput } from '../workflows/types';
import type { ActivityDeps } from './deps';

const BATCH = 500;

/** Starts the delivery workflows of one event, a batch at a time, in delivery-id order. */
export function createFanOutBatch({ sql, client, config }: ActivityDeps) {
  return async function fanOutBatch(input: FanOutInput & { after: string | null }): Promise<{ started: number; lastDeliveryId: string | null }> {
    const rows = await withTenant(sql, input.tenantId, (tx) => tx<{ id: string; endpointId: string }[]>`
      select id, endpoint_id from deliveries
      where event_id = ${input.eventId} and kind = 'event' and id > ${input.after ?? ''}
      order by id limit ${BATCH}`);
    await startDeliveryWorkflows(
      client,
      config.temporal.taskQueue,
      rows.map((r) => ({ deliveryId: r.id, tenantId: input.tenantId, endpointId: r.endpointId, eventId: input.eventId, eventType: input.eventType, kind: 'event' as const })),
      64,
    );
    return { started: rows.length, lastDeliveryId: rows.length === BATCH ? rows[rows.length - 1]!.id : null };
  };
}
