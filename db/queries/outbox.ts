import type { DeliveryKind } from '../../domain/enums';
import type { Sql, Tx } from '../sql';

/** What Temporal must be told, written beside the rows it is about (see migrations/002_outbox.sql). */
export type OutboxMessage =
  | { kind: 'deliver'; payload: { eventId: string; eventType: string; deliveries: { id: string; endpointId: string; kind: DeliveryKind }[] } }
  | { kind: 'test'; payload: { endpointId: string; deliveryId: string; eventId: string } }
  | { kind: 'set_enabled'; payload: { endpointId: string; enabled: boolean } }
  | { kind: 'start_endpoint'; payload: { endpointId: string } }
  | { kind: 'stop_endpoint'; payload: { endpointId: string; deliveryIds: string[] } };

export type OutboxRow = OutboxMessage & { id: string; tenantId: string; attempts: number };

/** Where outbox rows go: the tenant they concern and the task queue whose relays carry them. */
export interface OutboxAddress {
  tenantId: string;
  taskQueue: string;
}

export async function enqueue(tx: Tx, to: OutboxAddress, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx`
    insert into outbox (tenant_id, task_queue, kind, payload)
    select ${to.tenantId}, ${to.taskQueue}, k, p::jsonb from unnest(${messages.map((m) => m.kind)}::text[], ${messages.map((m) => JSON.stringify(m.payload))}::text[]) as t(k, p)`;
}

/** Locks up to `limit` due rows for this transaction; other relays skip them. */
export function claimDue(tx: Tx, taskQueue: string, limit: number): Promise<OutboxRow[]> {
  return tx<OutboxRow[]>`
    select id, tenant_id, kind, payload, attempts from outbox
    where task_queue = ${taskQueue} and available_at <= now() order by id limit ${limit} for update skip locked`;
}

export async function removeDone(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length) await tx`delete from outbox where id = any(${ids}::bigint[])`;
}

/** Puts failed rows back with a growing delay (1 s doubling, at most a minute) and the reason. */
export async function deferFailed(tx: Tx, failed: { id: string; error: string }[]): Promise<void> {
  if (failed.length === 0) return;
  await tx`
    update outbox o set attempts = o.attempts + 1, last_error = f.error,
      available_at = now() + least(interval '1 second' * power(2, least(o.attempts, 6)), interval '60 seconds')
    from unnest(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error.slice(0, 500))}::text[]) as f(id, error)
    where o.id = f.id`;
}

/** Of these endpoint ids, the ones that still exist (across tenants: the relay is not a tenant). */
export async function existingEndpoints(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx<{ id: string }[]>`select id from endpoints where id = any(${ids}::text[])`;
  return new Set(rows.map((r) => r.id));
}

export async function outboxBacklog(sql: Sql): Promise<{ rows: number; oldestSeconds: number }> {
  const [row] = await sql<{ rows: number; oldestSeconds: number }[]>`
    select count(*)::int as rows, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_seconds from outbox`;
  return row!;
}
