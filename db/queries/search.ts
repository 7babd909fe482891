import type { DeliveryKind, DeliveryStatus } from '../../domain/enums';
import type { Tx } from '../sql';
import type { DeliveryRow, PagePosition } from './deliveries';

/**
 * Reading a tenant's log: its events, and its deliveries across every endpoint. Run under
 * `withTenant`; the tenant is also named in each WHERE so the planner reaches for the
 * `(tenant_id, ...)` indexes of migration 010 directly. Pages are newest first, keyed on
 * (created_at, id) as the per-endpoint list is (db/queries/deliveries.ts). A position's time goes in as
 * text (`::text::timestamptz`): typed as a timestamp, the driver would send it through a JavaScript
 * Date, to the millisecond, and rows a few microseconds older than the last one shown were skipped.
 * A channel search says `channels <> '{}'` as well, so the planner may take the partial GIN index
 * of migration 020 (events with channels only).
 */

export interface EventRow {
  id: string;
  type: string;
  channels: string[];
  createdAt: Date;
}

export interface EventWithData extends EventRow {
  data: unknown;
}

export interface DeliverySearch {
  endpointId?: string;
  eventId?: string;
  eventType?: string;
  /** Deliveries of events that carry this channel. */
  channel?: string;
  status?: DeliveryStatus;
  kind?: DeliveryKind;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  limit: number;
  before?: PagePosition;
}

/** The first `limit` rows and where the next page starts, from a query that fetched `limit + 1`. */
function toPage<T extends { id: string }>(rows: (T & { pagePosition: string })[], limit: number): { rows: T[]; next: PagePosition | null } {
  const more = rows.length > limit;
  const page = (more ? rows.slice(0, limit) : rows).map(({ pagePosition, ...row }) => ({ row: row as unknown as T, pagePosition }));
  const last = page[page.length - 1];
  return { rows: page.map((p) => p.row), next: more && last ? { createdAt: last.pagePosition, id: last.row.id } : null };
}

export async function searchDeliveries(tx: Tx, tenantId: string, q: DeliverySearch): Promise<{ rows: DeliveryRow[]; next: PagePosition | null }> {
  const rows = await tx<(DeliveryRow & { pagePosition: string })[]>`
    select d.id, d.endpoint_id, d.event_id, d.event_type, d.kind, d.status, d.attempt_count,
           d.last_attempt_at, d.next_retry_at, d.created_at, d.updated_at, to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as page_position
    from deliveries d
    where d.tenant_id = ${tenantId}
      ${q.endpointId ? tx`and d.endpoint_id = ${q.endpointId}` : tx``}
      ${q.eventId ? tx`and d.event_id = ${q.eventId}` : tx``}
      ${q.eventType ? tx`and d.event_type = ${q.eventType}` : tx``}
      ${q.channel ? tx`and d.event_id in (select ce.id from events ce where ce.tenant_id = ${tenantId} and ce.channels @> array[${q.channel}::text] and ce.channels <> '{}')` : tx``}
      ${q.status ? tx`and d.status = ${q.status}` : tx``}
      ${q.kind ? tx`and d.kind = ${q.kind}` : tx``}
      ${q.since ? tx`and d.created_at >= ${q.since}` : tx``}
      ${q.until ? tx`and d.created_at < ${q.until}` : tx``}
      ${q.before ? tx`and (d.created_at, d.id) < (${q.before.createdAt}::text::timestamptz, ${q.before.id})` : tx``}
    order by d.created_at desc, d.id desc limit ${q.limit + 1}`;
  return toPage(rows, q.limit);
}

export async function listEvents(
  tx: Tx,
  tenantId: string,
  q: { type?: string; channel?: string; since?: Date; until?: Date; limit: number; before?: PagePosition },
): Promise<{ rows: EventRow[]; next: PagePosition | null }> {
  const rows = await tx<(EventRow & { pagePosition: string })[]>`
    select e.id, e.type, e.channels, e.created_at, to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as page_position
    from events e
    where e.tenant_id = ${tenantId}
      ${q.type ? tx`and e.type = ${q.type}` : tx``}
      ${q.channel ? tx`and e.channels @> array[${q.channel}::text] and e.channels <> '{}'` : tx``}
      ${q.since ? tx`and e.created_at >= ${q.since}` : tx``}
      ${q.until ? tx`and e.created_at < ${q.until}` : tx``}
      ${q.before ? tx`and (e.created_at, e.id) < (${q.before.createdAt}::text::timestamptz, ${q.before.id})` : tx``}
    order by e.created_at desc, e.id desc limit ${q.limit + 1}`;
  return toPage(rows, q.limit);
}

export async function getEvent(tx: Tx, tenantId: string, id: string): Promise<EventWithData | null> {
  // As text: the camel-case transform of column names would also rename the keys inside a jsonb value.
  const [row] = await tx<(EventRow & { dataJson: string })[]>`
    select id, type, channels, data::text as data_json, created_at from events where tenant_id = ${tenantId} and id = ${id}`;
  if (!row) return null;
  const { dataJson, ...event } = row;
  return { ...event, data: JSON.parse(dataJson) as unknown };
}
