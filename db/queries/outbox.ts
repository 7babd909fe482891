import type { DeliveryKind } from '../../domain/enums';
import type { Tx } from '../sql';

/** What Temporal must be told, written beside the rows it is about (see migrations/002_outbox.sql). */
export type OutboxMessage =
  | { kind: 'deliver'; payload: { eventId: string; eventType: string; deliveries: { id: string; endpointId: string; kind: DeliveryKind }[] } }
  | { kind: 'test'; payload: { endpointId: string; deliveryId: string; eventId: string } }
  | { kind: 'set_enabled'; payload: { endpointId: string; enabled: boolean } }
  | { kind: 'start_endpoint'; payload: { endpointId: string; /** Also wake its FIFO queue (ordering changed). */ fifoWake?: boolean } }
  | { kind: 'stop_endpoint'; payload: { endpointId: string; deliveryIds: string[] } }
  | { kind: 'recover'; payload: { endpointId: string; recoveryId: string } };

export type OutboxRow = OutboxMessage & { id: string; tenantId: string; attempts: number; traceparent?: string | null };

/** Where outbox rows go: the tenant they concern and the task queue whose relays carry them. */
export interface OutboxAddress {
  tenantId: string;
  taskQueue: string;
}

/** One stop_endpoint row cancels at most this many delivery workflows: a big backlog is shared among rows and relays. */
export const STOPS_PER_OUTBOX_ROW = 100;

/**
 * The rows that stop an endpoint's workflows: its pending deliveries' ids in rows of at most
 * STOPS_PER_OUTBOX_ROW, each also cancelling the endpoint's workflow (a repeat finds it gone). One row
 * for a backlog of tens of thousands could never finish within a relay batch and came back forever.
 */
export function stopEndpointMessages(endpointId: string, deliveryIds: string[]): OutboxMessage[] {
  const rows: OutboxMessage[] = [];
  for (let i = 0; i === 0 || i < deliveryIds.length; i += STOPS_PER_OUTBOX_ROW) {
    rows.push({ kind: 'stop_endpoint', payload: { endpointId, deliveryIds: deliveryIds.slice(i, i + STOPS_PER_OUTBOX_ROW) } });
  }
  return rows;
}

export async function enqueue(tx: Tx, to: OutboxAddress, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx`
    insert into outbox (tenant_id, task_queue, kind, payload)
    select ${to.tenantId}, ${to.taskQueue}, k, p::jsonb from unnest(${messages.map((m) => m.kind)}::text[], ${messages.map((m) => JSON.stringify(m.payload))}::text[]) as t(k, p)`;
}

/*
 * The relay serves every tenant, and the app role sees no outbox row without a tenant: these go
 * through SECURITY DEFINER functions that touch the outbox alone (migrations/003_least_privilege.sql).
 */

/**
 * What the claiming worker has room for: at most `perTenant` deliveries of one tenant in one claim,
 * and of each tenant in `room` (those with sends running or admitted there) only as many as it says;
 * of one endpoint, its own maxInFlight (else `perEndpoint`) less what `endpointBusy` says runs or is
 * admitted there.
 */
export interface ClaimRoom {
  perTenant: number;
  room: Map<string, number>;
  perEndpoint: number;
  endpointBusy: Map<string, number>;
}

/** Locks up to `limit` due rows for this transaction; other relays skip them. */
export function claimDue(tx: Tx, taskQueue: string, limit: number, room?: ClaimRoom): Promise<OutboxRow[]> {
  if (!room) return tx<OutboxRow[]>`select id, tenant_id, kind, payload, attempts, traceparent from hookline_outbox_claim(${taskQueue}, ${limit})`;
  const endpoints = room.endpointBusy;
  return tx<OutboxRow[]>`
    select id, tenant_id, kind, payload, attempts, traceparent
    from hookline_outbox_claim(${taskQueue}, ${limit}, ${room.perTenant}, ${[...room.room.keys()]}::text[], ${[...room.room.values()]}::int[],
                               ${room.perEndpoint}, ${[...endpoints.keys()]}::text[], ${[...endpoints.values()]}::int[])`;
}

export async function removeDone(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length) await tx`select hookline_outbox_done(${ids}::bigint[])`;
}

/** Puts failed rows back with a growing delay (1 s doubling, at most a minute) and the reason. */
export async function deferFailed(tx: Tx, failed: { id: string; error: string }[]): Promise<void> {
  if (failed.length === 0) return;
  await tx`select hookline_outbox_defer(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error.slice(0, 500))}::text[])`;
}
