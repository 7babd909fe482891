import type { DeliveryKind, DeliveryStatus } from '../../domain/enums';
import type { Tx } from '../sql';

/** Raised by `insertEvent` when the tenant does not exist (the events → tenants foreign key). */
export class UnknownTenantError extends Error {}

/** Inserts the event; false when this tenant already has an event with this id (an idempotent repeat). */
export async function insertEvent(tx: Tx, e: { tenantId: string; id: string; type: string; data: unknown }): Promise<boolean> {
  try {
    const rows = await tx`
      insert into events (tenant_id, id, type, data) values (${e.tenantId}, ${e.id}, ${e.type}, ${tx.json(e.data as never)})
      on conflict do nothing returning id`;
    return rows.length > 0;
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new UnknownTenantError(e.tenantId);
    throw err;
  }
}

export async function insertDeliveries(
  tx: Tx,
  tenantId: string,
  eventId: string,
  rows: { id: string; endpointId: string; kind: DeliveryKind; status: DeliveryStatus }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into deliveries (id, tenant_id, endpoint_id, event_id, kind, status)
    select id, ${tenantId}, endpoint_id, ${eventId}, kind, status
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.endpointId)}::text[], ${rows.map((r) => r.kind)}::text[],
                ${rows.map((r) => r.status)}::text[]) as t(id, endpoint_id, kind, status)`;
}
