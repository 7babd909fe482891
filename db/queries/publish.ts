import type { EventFilter } from '../../domain/event-filter';
import type { Tx } from '../sql';
import { UnknownTenantError } from './events';

export interface PublishRows {
  tenantId: string;
  id: string;
  type: string;
  data: unknown;
  /** The event's channels: an endpoint with channels takes it only when they share one. */
  channels: string[];
  /** The task queue whose relays carry the outbox rows. */
  taskQueue: string;
  /** Only endpoints that name the type, not `*` subscribers. */
  explicitOnly: boolean;
  excludeEndpointId: string | null;
  /** Deliveries per outbox row. */
  perOutboxRow: number;
  /** The publishing request's trace (W3C traceparent), so the relay's starts continue it; null when not tracing. */
  traceparent?: string | null;
  /**
   * Filters already matched by the caller from a copy of the tenant's filters: `known` names each
   * copied filter as `<endpoint id>:<md5 of its text>`, `matched` the endpoints whose filter matched.
   * Used only when every subscribed filtered endpoint's filter is among `known`; else none is.
   */
  prematched?: { known: string[]; matched: string[] };
}

/** A tenant's endpoint filters as publishing copies them, each named by its version (the md5 of its text). */
export interface FilterVersion {
  id: string;
  version: string;
  filter: EventFilter;
  /** The filter names `createdAt`, which an event has only once it is stored. */
  readsCreatedAt: boolean;
}

export interface PublishCounts {
  deliveries: number;
  skipped: number;
}

/** A subscribed endpoint with a filter: publishing matches it in TypeScript (domain/event-filter.ts). */
export interface FilteredEndpoint {
  id: string;
  /** Read as JSON text and parsed here: the client's camelCase transform must not rename a tenant's keys. */
  filter: EventFilter;
}

/**
 * The deliveries of `dl` still pending go into outbox rows of `perOutboxRow` each; the statement
 * ends with the counts of `dl`. `dl` is the statement's own CTE of inserted deliveries.
 */
const outboxAndCounts = (tx: Tx, p: PublishRows) => tx`
  pending as (
    select id, endpoint_id, (row_number() over (order by id) - 1) / ${p.perOutboxRow} as part from dl where status = 'pending'
  ), ob as (
    insert into outbox (tenant_id, task_queue, kind, traceparent, payload)
    select ${p.tenantId}, ${p.taskQueue}, 'deliver', ${p.traceparent ?? null}::text,
      hookline_deliver_payload(${p.id}::text, ${p.type}::text, 'event', array_agg(id order by id), array_agg(endpoint_id order by id))
    from pending group by part
    returning 1
  )
  select (select count(*) from dl where status = 'pending')::int as deliveries,
         (select count(*) from dl where status = 'skipped')::int as skipped`;

/**
 * The event, a delivery per subscribed endpoint without a filter (`skipped` for a disabled one) and
 * the outbox rows that start the pending ones, in one statement; nothing but the event when its id is
 * taken (`created` false). Subscribed means: the type, and a shared channel when the endpoint lists
 * channels. An endpoint with a filter gets its delivery here when the caller matched it already
 * (`prematched`, from an up-to-date copy of the filters); otherwise such endpoints are only returned,
 * for the caller to match and pass to insertFilteredDeliveries. Runs under the tenant's row-level security, so only its endpoints match.
 */
export async function insertEventWithDeliveries(
  tx: Tx,
  p: PublishRows,
): Promise<PublishCounts & { created: boolean; createdAt: Date | null; filtered: FilteredEndpoint[] }> {
  const known = p.prematched?.known ?? [];
  const matched = p.prematched?.matched ?? [];
  try {
    const [row] = await tx<(PublishCounts & { created: number; createdAt: Date | null; filtered: string })[]>`
      with ev as (
        insert into events (tenant_id, id, type, data, channels) values (${p.tenantId}, ${p.id}, ${p.type}, ${tx.json(p.data as never)}, ${p.channels}::text[])
        on conflict do nothing returning id, created_at
      ), subscribed as (
        select e.id, e.enabled, e.filter from ev cross join endpoints e
        where e.tenant_id = ${p.tenantId} and e.id <> coalesce(${p.excludeEndpointId}::text, '')
          and (${p.type} = any(e.event_types) or (${!p.explicitOnly} and '*' = any(e.event_types)))
          and (e.channels = '{}' or e.channels && ${p.channels}::text[])
      ), stale as (
        select exists (select 1 from subscribed s where s.filter is not null and not (s.id || ':' || md5(s.filter::text) = any(${known}::text[]))) as yes
      ), dl as (
        insert into deliveries (id, tenant_id, endpoint_id, event_id, kind, status, event_type)
        select hookline_new_id('dlv'), ${p.tenantId}, s.id, ${p.id}, 'event', case when s.enabled then 'pending' else 'skipped' end, ${p.type}
        from subscribed s where s.filter is null or (s.id = any(${matched}::text[]) and not (select yes from stale))
        returning id, endpoint_id, status
      ), ${outboxAndCounts(tx, p)},
        (select count(*) from ev)::int as created,
        (select created_at from ev) as created_at,
        (select coalesce(json_agg(json_build_object('id', s.id, 'filter', s.filter)), '[]')::text from subscribed s where s.filter is not null and (select yes from stale)) as filtered`;
    return {
      created: row!.created > 0,
      createdAt: row!.createdAt,
      deliveries: row!.deliveries,
      skipped: row!.skipped,
      filtered: JSON.parse(row!.filtered) as FilteredEndpoint[],
    };
  } catch (err) {
    throw publishConflict(err, p.tenantId);
  }
}

/**
 * A foreign key the publish broke: the tenant's is an unknown tenant. Any other (an endpoint whose
 * deletion committed after the statement read it) is a conflict with a concurrent change, and the
 * transaction runs again (retryAborted), then without that endpoint.
 */
function publishConflict(err: unknown, tenantId: string): unknown {
  const e = err as { code?: string; constraint_name?: string };
  if (e.code !== '23503') return err;
  if (e.constraint_name === 'events_tenant_id_fkey') return new UnknownTenantError(tenantId);
  return Object.assign(new Error(`publish met a concurrent deletion (${e.constraint_name ?? 'a foreign key'})`), { code: '40001', cause: err });
}

/** Deliveries (and their outbox rows) for the filtered endpoints whose filter matched the event just inserted. */
export async function insertFilteredDeliveries(tx: Tx, p: PublishRows, endpointIds: string[]): Promise<PublishCounts> {
  try {
    const [row] = await tx<PublishCounts[]>`
      with dl as (
        insert into deliveries (id, tenant_id, endpoint_id, event_id, kind, status, event_type)
        select hookline_new_id('dlv'), ${p.tenantId}, e.id, ${p.id}, 'event', case when e.enabled then 'pending' else 'skipped' end, ${p.type}
        from endpoints e where e.tenant_id = ${p.tenantId} and e.id = any(${endpointIds}::text[])
        returning id, endpoint_id, status
      ), ${outboxAndCounts(tx, p)}`;
    return row!;
  } catch (err) {
    throw publishConflict(err, p.tenantId);
  }
}

/** The tenant's endpoint filters (under its row-level security), each with its version. */
export async function tenantFilters(tx: Tx): Promise<FilterVersion[]> {
  const rows = await tx<{ id: string; version: string; filterJson: string }[]>`
    select id, md5(filter::text) as version, filter::text as filter_json from endpoints where filter is not null`;
  return rows.map((r) => ({ id: r.id, version: r.version, filter: JSON.parse(r.filterJson) as EventFilter, readsCreatedAt: r.filterJson.includes('"createdAt"') }));
}
