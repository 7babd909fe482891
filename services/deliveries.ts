import { notFound } from '../domain/errors';
import { newId } from '../domain/ids';
import { getDelivery } from '../db/queries/deliveries';
import { insertDeliveries } from '../db/queries/events';
import { enqueue } from '../db/queries/outbox';
import { withTenant } from '../db/sql';
import type { ServiceDeps } from './deps';

/** The same event to the same endpoint again, as a new delivery (same `webhook-id`), started by the relay. */
export async function redeliver(deps: ServiceDeps, tenantId: string, deliveryId: string): Promise<string> {
  const id = newId('dlv');
  // The purge may delete the delivery and its event between the read and the insert: then it is gone (a 404), not a 500.
  const gone = (err: unknown) => ((err as { code?: string }).code === '23503' ? null : Promise.reject(err));
  const original = await withTenant(deps.sql, tenantId, async (tx) => {
    const delivery = await getDelivery(tx, deliveryId);
    if (!delivery) return null;
    await insertDeliveries(tx, tenantId, delivery.eventId, [{ id, endpointId: delivery.endpointId, kind: 'redelivery', status: 'pending' }]);
    await enqueue(tx, { tenantId, taskQueue: deps.config.temporal.taskQueue }, [
      { kind: 'deliver', payload: { eventId: delivery.eventId, eventType: delivery.eventType, deliveries: [{ id, endpointId: delivery.endpointId, kind: 'redelivery' }] } },
    ]);
    return delivery;
  }).catch(gone);
  if (!original) throw notFound('delivery');
  return id;
}
