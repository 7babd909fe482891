import type { StatsBucket, StatsRange } from '../../domain/stats-range';
import type { Sql, Tx } from '../sql';

/**
 * Reads of the delivery statistics rollup (migrations/013_delivery_stats.sql). Tenant reads run under
 * `withTenant`, naming the tenant too so the (tenant_id, minute) index is used directly; each reads
 * one row per endpoint and minute of the range, never a delivery.
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

const UNIT: Record<StatsBucket, string> = { minute: '1 minute', hour: '1 hour', day: '1 day' };

function scoped(tx: Tx, s: StatsScope, r: StatsRange) {
  return tx`s.tenant_id = ${s.tenantId} ${s.endpointId ? tx`and s.endpoint_id = ${s.endpointId}` : tx``}
    and s.minute >= ${r.since} and s.minute < ${r.until}`;
}

export async function statsTotals(tx: Tx, s: StatsScope, r: StatsRange): Promise<StatsTotals> {
  const [row] = await tx<StatsTotals[]>`
    select coalesce(sum(s.pending), 0)::int as pending, coalesce(sum(s.success), 0)::int as success,
           coalesce(sum(s.failed), 0)::int as failed, coalesce(sum(s.skipped), 0)::int as skipped,
           coalesce(sum(s.attempts), 0)::int as attempts
    from delivery_stats s where ${scoped(tx, s, r)}`;
  return row!;
}

/** The range's latency histogram: counts by bucket, index 0 = bucket 1 (domain/latency-sketch.ts). */
export async function statsLatency(tx: Tx, s: StatsScope, r: StatsRange): Promise<number[]> {
  const rows = await tx<{ k: number; n: number }[]>`
    select u.k::int as k, sum(u.n)::int as n
    from delivery_stats s cross join lateral unnest(s.latency) with ordinality as u(n, k)
    where ${scoped(tx, s, r)} group by 1 order by 1`;
  const counts = new Array<number>(rows.length ? rows[rows.length - 1]!.k : 0).fill(0);
  for (const row of rows) counts[row.k - 1] = row.n;
  return counts;
}

/** One point per bucket of the range (UTC), empty ones included; the first and last may cover part of a bucket. */
export function statsSeries(tx: Tx, s: StatsScope, r: StatsRange): Promise<StatsPoint[]> {
  return tx<StatsPoint[]>`
    with b as (
      select date_trunc(${r.bucket}, s.minute, 'UTC') as start, sum(s.success) as success, sum(s.failed) as failed, sum(s.attempts) as attempts
      from delivery_stats s where ${scoped(tx, s, r)} group by 1
    )
    select g.start, coalesce(b.success, 0)::int as success, coalesce(b.failed, 0)::int as failed, coalesce(b.attempts, 0)::int as attempts
    from generate_series(date_trunc(${r.bucket}, ${r.since}::timestamptz, 'UTC'), ${r.until}::timestamptz - interval '1 microsecond',
                         ${UNIT[r.bucket]}::interval) as g(start)
    left join b on b.start = g.start order by g.start`;
}

/** Each of the tenant's endpoints with deliveries in the range. */
export function statsByEndpoint(tx: Tx, tenantId: string, r: StatsRange): Promise<EndpointStatsRow[]> {
  return tx<EndpointStatsRow[]>`
    select s.endpoint_id, sum(s.success)::int as success, sum(s.failed)::int as failed,
           max(s.last_success_at) as last_success_at, max(s.last_failure_at) as last_failure_at
    from delivery_stats s where ${scoped(tx, { tenantId }, r)}
    group by 1 having sum(s.success + s.failed + s.pending + s.skipped) > 0 order by 1`;
}

/** Deletes up to `limit` of the tenant's rollup rows wholly older than `days` days; a row that still counts a pending delivery stays. */
export async function purgeStats(tx: Tx, tenantId: string, days: number, limit: number): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    with doomed as (
      select endpoint_id, minute from delivery_stats
      where tenant_id = ${tenantId} and minute < now() - make_interval(days => ${days}) - interval '1 minute' and pending = 0
      order by minute limit ${limit}
    ), d as (
      delete from delivery_stats s using doomed where s.tenant_id = ${tenantId} and s.endpoint_id = doomed.endpoint_id and s.minute = doomed.minute
      returning 1
    )
    select count(*)::int as n from d`;
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
