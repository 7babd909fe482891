import type { DeliveryKind, DeliveryStatus } from '../../domain/enums';
import type { Tx } from '../sql';

export interface DeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attemptCount: number;
  lastAttemptAt: Date | null;
  nextRetryAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttemptRow {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  nextRetryAt: Date | null;
  /** A broker attempt's outcome code; null for http. */
  outcome: string | null;
}

const COLUMNS = (tx: Tx) => tx`
  d.id, d.endpoint_id, d.event_id, ev.type as event_type, d.kind, d.status, d.attempt_count,
  d.last_attempt_at, d.next_retry_at, d.created_at, d.updated_at`;
const FROM = (tx: Tx) => tx`from deliveries d join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id`;

/** Where a page ends: the last row's creation time (to the microsecond, in UTC) and id. */
export interface PagePosition {
  createdAt: string;
  id: string;
}

/**
 * Newest first, keyed on (created_at, id), so a position names only a row of this endpoint and stays
 * put while new deliveries arrive.
 */
export async function listDeliveries(
  tx: Tx,
  q: { endpointId: string; status?: string; limit: number; before?: PagePosition },
): Promise<{ rows: DeliveryRow[]; next: PagePosition | null }> {
  const rows = await tx<(DeliveryRow & { pagePosition: string })[]>`
    select ${COLUMNS(tx)}, to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as page_position
    ${FROM(tx)}
    where d.endpoint_id = ${q.endpointId}
      ${q.status ? tx`and d.status = ${q.status}` : tx``}
      ${q.before ? tx`and (d.created_at, d.id) < (${q.before.createdAt}::text::timestamptz, ${q.before.id})` : tx``}
    order by d.created_at desc, d.id desc limit ${q.limit + 1}`;
  const more = rows.length > q.limit;
  const page = (more ? rows.slice(0, q.limit) : rows).map(({ pagePosition, ...row }) => ({ row, pagePosition }));
  const last = page[page.length - 1];
  return { rows: page.map((p) => p.row), next: more && last ? { createdAt: last.pagePosition, id: last.row.id } : null };
}

export async function getDelivery(tx: Tx, id: string): Promise<DeliveryRow | null> {
  const [row] = await tx<DeliveryRow[]>`select ${COLUMNS(tx)} ${FROM(tx)} where d.id = ${id}`;
  return row ?? null;
}

export async function listAttempts(tx: Tx, deliveryId: string): Promise<AttemptRow[]> {
  return tx<AttemptRow[]>`
    select attempt, started_at, duration_ms, response_status, response_body, error, next_retry_at, outcome
    from attempts where delivery_id = ${deliveryId} order by attempt`;
}

/** An event's original deliveries after `afterId`, in id order (for the fan-out workflow of older versions). */
export function eventDeliveriesAfter(tx: Tx, eventId: string, afterId: string, limit: number): Promise<{ id: string; endpointId: string }[]> {
  return tx<{ id: string; endpointId: string }[]>`
    select id, endpoint_id from deliveries
    where event_id = ${eventId} and kind = 'event' and status = 'pending' and id > ${afterId}
    order by id limit ${limit}`;
}
