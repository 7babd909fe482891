import type { StatsBucket, StatsRange } from '../../domain/stats-range';
import type { Sql, Tx } from '../sql';

/**
 * Reads of the delivery statistics rollup: per endpoint and minute (migrations/013_delivery_stats.sql)
 * and per endpoint and hour (021_delivery_stats_hourly.sql), an hour row being the sum of its minutes.
 * A range reads its whole hours from the hourly level and its ragged minute ends from the minute level,
 * never a delivery; a range by the minute reads minutes only. Tenant reads run under `withTenant`,
 * naming the tenant too so the (tenant_id, minute|hour) indexes are used directly.
 */

export interface StatsTotals {
  pending: number;
  success: number;
  failed: number;
  skipped: number;
  attempts: number;
}

export interface StatsPoint {
  start: Date;
  success: number;
  failed: number;
  attempts: number;
}

export interface EndpointStatsRow {
  endpointId: string;
  success: number;
  failed: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export interface StatsScope {
  tenantId: string;
  /** One endpoint, or all the tenant's. */
  endpointId?: string;
}

export interface StatsSummary {
  /** Whether the scope's endpoint exists for the tenant (always true for a tenant-wide scope). */
  found: boolean;
  totals: StatsTotals;
  /** The range's latency histogram: counts by bucket, index 0 = bucket 1 (domain/latency-sketch.ts). */
  latency: number[];
  /** One point per bucket of the range (UTC), empty ones included; the first and last may cover part of a bucket. */
  series: StatsPoint[];
  /** Each endpoint with deliveries in the range, for a tenant-wide scope with `byEndpoint`. */
  byEndpoint: EndpointStatsRow[];
}

export interface StatsReadOptions {
  byEndpoint?: boolean;
  /** Read the minute level only, as for a range by the minute (the hourly level is then a check of it). */
  minutesOnly?: boolean;
}

const UNIT: Record<StatsBucket, string> = { minute: '1 minute', hour: '1 hour', day: '1 day' };
const HOUR = 3_600_000;

/** The range's whole hours [from, to), read from the hourly level; none (from = to = until) by the minute or in a range within an hour. */
export function wholeHours(r: StatsRange, minutesOnly = false): { from: Date; to: Date } {
  const from = Math.ceil(r.since.getTime() / HOUR) * HOUR;
  const to = Math.floor(r.until.getTime() / HOUR) * HOUR;
  if (minutesOnly || r.bucket === 'minute' || from >= to) return { from: r.until, to: r.until };
  return { from: new Date(from), to: new Date(to) };
}

interface SummaryRow extends StatsTotals {
  found: boolean;
  latency: number[];
  seriesStart: Date[];
  seriesSuccess: number[];
  seriesFailed: number[];
  seriesAttempts: number[];
  endpointIds: string[] | null;
  endpointSuccess: number[];
  endpointFailed: number[];
  endpointLastSuccessAt: (Date | null)[];
  endpointLastFailureAt: (Date | null)[];
}

/**
 * A range's totals, latency histogram, series (and, tenant-wide, each endpoint's figures) in one
 * statement: the range's rollup rows are read once and summed each way.
 */
export async function statsSummary(tx: Tx, s: StatsScope, r: StatsRange, o: StatsReadOptions = {}): Promise<StatsSummary> {
  const { from, to } = wholeHours(r, o.minutesOnly);
  const mine = tx`s.tenant_id = ${s.tenantId} ${s.endpointId ? tx`and s.endpoint_id = ${s.endpointId}` : tx``}`;
  const columns = tx`s.endpoint_id, s.pending, s.success, s.failed, s.skipped, s.attempts, s.latency, s.last_success_at, s.last_failure_at`;
  const [row] = await tx<SummaryRow[]>`
    with src as materialized (
      select s.hour as at, ${columns} from delivery_stats_hourly s where ${mine} and s.hour >= ${from} and s.hour < ${to}
      union all
      select s.minute, ${columns} from delivery_stats s where ${mine} and s.minute >= ${r.since} and s.minute < ${from}
      union all
      select s.minute, ${columns} from delivery_stats s where ${mine} and s.minute >= ${to} and s.minute < ${r.until}
    ), lat as (
      select u.k, sum(u.n)::int as n from src cross join lateral unnest(src.latency) with ordinality as u(n, k) group by 1
    ), points as (
      select date_trunc(${r.bucket}, src.at, 'UTC') as start, sum(src.success) as success, sum(src.failed) as failed, sum(src.attempts) as attempts
      from src group by 1
    ), series as (
      select array_agg(g.start order by g.start) as series_start, array_agg(coalesce(p.success, 0)::int order by g.start) as series_success,
             array_agg(coalesce(p.failed, 0)::int order by g.start) as series_failed, array_agg(coalesce(p.attempts, 0)::int order by g.start) as series_attempts
      from generate_series(date_trunc(${r.bucket}, ${r.since}::timestamptz, 'UTC'), ${r.until}::timestamptz - interval '1 microsecond',
                           ${UNIT[r.bucket]}::interval) as g(start)
      left join points p on p.start = g.start
    ), per_endpoint as (
      select src.endpoint_id, sum(src.success)::int as success, sum(src.failed)::int as failed,
             max(src.last_success_at) as last_success_at, max(src.last_failure_at) as last_failure_at
      from src ${o.byEndpoint ? tx`` : tx`where false`} group by 1 having sum(src.success + src.failed + src.pending + src.skipped) > 0
    )
    select ${s.endpointId ? tx`exists (select 1 from endpoints e where e.id = ${s.endpointId})` : tx`true`} as found,
      t.*, (select coalesce(array_agg(lat.n order by lat.k), '{}') from lat) as latency, series.*,
      e.endpoint_ids, e.endpoint_success, e.endpoint_failed, e.endpoint_last_success_at, e.endpoint_last_failure_at
    from (
      select coalesce(sum(src.pending), 0)::int as pending, coalesce(sum(src.success), 0)::int as success,
             coalesce(sum(src.failed), 0)::int as failed, coalesce(sum(src.skipped), 0)::int as skipped,
             coalesce(sum(src.attempts), 0)::int as attempts
      from src
    ) t, series, (
      select array_agg(pe.endpoint_id order by pe.endpoint_id) as endpoint_ids, array_agg(pe.success order by pe.endpoint_id) as endpoint_success,
             array_agg(pe.failed order by pe.endpoint_id) as endpoint_failed,
             array_agg(pe.last_success_at order by pe.endpoint_id) as endpoint_last_success_at,
             array_agg(pe.last_failure_at order by pe.endpoint_id) as endpoint_last_failure_at
      from per_endpoint pe
    ) e`;
  const x = row!;
  return {
    found: x.found,
    totals: { pending: x.pending, success: x.success, failed: x.failed, skipped: x.skipped, attempts: x.attempts },
    latency: x.latency,
    series: x.seriesStart.map((start, i) => ({ start, success: x.seriesSuccess[i]!, failed: x.seriesFailed[i]!, attempts: x.seriesAttempts[i]! })),
    byEndpoint: (x.endpointIds ?? []).map((endpointId, i) => ({
      endpointId, success: x.endpointSuccess[i]!, failed: x.endpointFailed[i]!,
      lastSuccessAt: x.endpointLastSuccessAt[i] ?? null, lastFailureAt: x.endpointLastFailureAt[i] ?? null,
    })),
  };
}

/**
 * Deletes up to `limit` of the tenant's rollup rows wholly older than `days` days, at each level; a row
 * that still counts a pending delivery stays. The most rows deleted at one level: `limit` says there may be more.
 */
export async function purgeStats(tx: Tx, tenantId: string, days: number, limit: number): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    with minutes as (
      select endpoint_id, minute from delivery_stats
      where tenant_id = ${tenantId} and minute < now() - make_interval(days => ${days}) - interval '1 minute' and pending = 0
      order by minute limit ${limit}
    ), hours as (
      select endpoint_id, hour from delivery_stats_hourly
      where tenant_id = ${tenantId} and hour < now() - make_interval(days => ${days}) - interval '1 hour' and pending = 0
      order by hour limit ${limit}
    ), m as (
      delete from delivery_stats s using minutes d where s.tenant_id = ${tenantId} and s.endpoint_id = d.endpoint_id and s.minute = d.minute
      returning 1
    ), h as (
      delete from delivery_stats_hourly s using hours d where s.tenant_id = ${tenantId} and s.endpoint_id = d.endpoint_id and s.hour = d.hour
      returning 1
    )
    select greatest((select count(*) from m), (select count(*) from h))::int as n`;
  return row!.n;
}

/* The operator's view across tenants (admin token), through definer functions. */

export interface Backlog {
  outboxRows: number;
  outboxOldest: Date | null;
  pendingDeliveries: number;
  pendingOldest: Date | null;
}

export async function deploymentBacklog(sql: Sql): Promise<Backlog> {
  const [row] = await sql<Backlog[]>`
    select outbox_rows::int, outbox_oldest, pending_deliveries::int, pending_oldest from hookline_admin_backlog()`;
  return row!;
}

/**
 * The backlog for a metrics scrape, which must answer whatever holds the tables (a migration, a long
 * lock): null, and the gauges skipped for this scrape, rather than wait (lock_timeout 55P03,
 * statement_timeout 57014).
 */
export async function deploymentBacklogWithoutWaiting(sql: Sql): Promise<Backlog | null> {
  try {
    return await sql.begin(async (tx) => {
      await tx`set local lock_timeout = '250ms'`;
      await tx`set local statement_timeout = '2s'`;
      const [row] = await tx<Backlog[]>`
        select outbox_rows::int, outbox_oldest, pending_deliveries::int, pending_oldest from hookline_admin_backlog()`;
      return row!;
    });
  } catch (err) {
    if (['55P03', '57014'].includes((err as { code?: string }).code ?? '')) return null;
    throw err;
  }
}

export interface ThroughputPoint {
  minute: Date;
  pending: number;
  success: number;
  failed: number;
  skipped: number;
}

/** Deliveries created in each minute since `since`, by their status now; minutes with none left out. */
export function deploymentThroughput(sql: Sql, since: Date): Promise<ThroughputPoint[]> {
  return sql<ThroughputPoint[]>`
    select minute, pending::int, success::int, failed::int, skipped::int from hookline_admin_throughput(${since})`;
}

export interface FailingEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  enabled: boolean;
  consecutiveFailures: number;
  failed: number;
  success: number;
}

export function failingEndpoints(sql: Sql, since: Date, limit: number): Promise<FailingEndpointRow[]> {
  return sql<FailingEndpointRow[]>`
    select id, tenant_id, url, enabled, consecutive_failures, failed::int, success::int from hookline_admin_failing_endpoints(${since}, ${limit})`;
}
