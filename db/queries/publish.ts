import type { Tx } from '../sql';
import { UnknownTenantError } from './events';

export interface PublishRows {
  tenantId: string;
  id: string;
  type: string;
  data: unknown;
  /** The task queue whose relays carry the outbox rows. */
  taskQueue: string;
  /** Only endpoints that name the type, not `*` subscribers. */
  explicitOnly: boolean;
  excludeEndpointId: string | null;
  /** Deliveries per outbox row. */
  perOutboxRow: number;
  /** The publishing request's trace (W3C traceparent), so the relay's starts continue it; null when not tracing. */
  traceparent?: string | null;
}

/**
 * The event, a delivery per subscribed endpoint (`skipped` for a disabled one) and the outbox rows
 * that start the pending ones, in one statement; nothing but the event when its id is taken
 * (`created` false). Runs under the tenant's row-level security, so only its endpoints match.
 */
export async function insertEventWithDeliveries(tx: Tx, p: PublishRows): Promise<{ created: boolean; deliveries: number; skipped: number }> {
  try {
    const [row] = await tx<{ created: number; deliveries: number; skipped: number }[]>`
      with ev as (
        insert into events (tenant_id, id, type, data) values (${p.tenantId}, ${p.id}, ${p.type}, ${tx.json(p.data as never)})
        on conflict do nothing returning id
      ), dl as (
        insert into deliveries (id, tenant_id, endpoint_id, event_id, kind, status, event_type)
        select hookline_new_id('dlv'), ${p.tenantId}, e.id, ev.id, 'event', case when e.enabled then 'pending' else 'skipped' end, ${p.type}
        from ev cross join endpoints e
        where e.tenant_id = ${p.tenantId} and e.id <> coalesce(${p.excludeEndpointId}::text, '')
          and (${p.type} = any(e.event_types) or (${!p.explicitOnly} and '*' = any(e.event_types)))
        returning id, endpoint_id, status
      ), pending as (
        select id, endpoint_id, (row_number() over (order by id) - 1) / ${p.perOutboxRow} as part from dl where status = 'pending'
      ), ob as (
        insert into outbox (tenant_id, task_queue, kind, traceparent, payload)
        select ${p.tenantId}, ${p.taskQueue}, 'deliver', ${p.traceparent ?? null}::text,
          hookline_deliver_payload(${p.id}::text, ${p.type}::text, 'event', array_agg(id order by id), array_agg(endpoint_id order by id))
        from pending group by part
        returning 1
      )
      select (select count(*) from ev)::int as created,
             (select count(*) from dl where status = 'pending')::int as deliveries,
             (select count(*) from dl where status = 'skipped')::int as skipped`;
    return { created: row!.created > 0, deliveries: row!.deliveries, skipped: row!.skipped };
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new UnknownTenantError(p.tenantId);
    throw err;
  }
}
