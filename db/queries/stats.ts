import { fillSeries, type SeriesPoint, type StatsRange } from '../../domain/stats-range';
import { LATENCY_BUCKETS } from '../../domain/latency-sketch';
import type { Sql, Tx } from '../sql';

/**
 * The histograms of a range's rows added bucket by bucket, as one array: a sum per bucket index is
 * several times cheaper than unnesting every row's array and grouping the values (a tenant's 30 days
 * add some 6,000 arrays). A row's array stops at its highest bucket; past it, `latency[k]` is null
 * and adds nothing.
 */
const SUM_BY_BUCKET = `array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(src.latency[${i + 1}]), 0)::int`).join(', ')}]`;

/**
 * Reads of the delivery statistics rollup: per endpoint and minute (migrations/013_delivery_stats.sql),
 * hour and day (021_delivery_stats_levels.sql), an hour or day row being the sum of its minutes. A
 * range reads each part from the coarsest level its series allows (rollupRanges), never a delivery,
 * and adds the changes not folded into the levels yet (migrations/025).
 * Tenant reads run under `withTenant`, naming the tenant too so the (tenant_id, time) indexes are used directly.
 */

export interface StatsTotals {
  pending: number;
  success: number;
  failed: number;
  skipped: number;
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
  series: SeriesPoint[];
  /** Each endpoint with deliveries in the range, for a tenant-wide scope with `byEndpoint`. */
  byEndpoint: EndpointStatsRow[];
}

export interface StatsReadOptions {
  byEndpoint?: boolean;
  /** Read the minute level only, as for a range by the minute (the coarser levels are then a check of it). */
  minutesOnly?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Span = [from: Date, to: Date];
export interface RollupRanges {
  day: [Span];
  hour: [Span, Span];
  minute: [Span, Span];
}

/**
 * Which level answers for which part of a range: its whole days (UTC) from the daily level, the whole
 * hours of its ragged ends from the hourly level, the ragged minutes from the minute level. A series
 * by the hour reads no days, by the minute minutes only; so does `minutesOnly`. Unused spans are empty
 * (from = to = until), so the statement has the same shape for every range.
 */
export function rollupRanges(r: StatsRange, minutesOnly = false): RollupRanges {
  const units = minutesOnly || r.bucket === 'minute' ? [] : r.bucket === 'hour' ? [HOUR] : [DAY, HOUR];
  const found: Record<'day' | 'hour' | 'minute', Span[]> = { day: [], hour: [], minute: [] };
  const split = (lo: number, hi: number, i: number): void => {
    if (lo >= hi) return;
    const unit = units[i];
    if (unit === undefined) {
      found.minute.push([new Date(lo), new Date(hi)]);
      return;
    }
    const from = Math.ceil(lo / unit) * unit;
    const to = Math.floor(hi / unit) * unit;
    if (from >= to) return split(lo, hi, i + 1);
    split(lo, from, i + 1);
    found[unit === DAY ? 'day' : 'hour'].push([new Date(from), new Date(to)]);
    split(to, hi, i + 1);
  };
  split(r.since.getTime(), r.until.getTime(), 0);
  const none: Span = [r.until, r.until];
  const at = (spans: Span[], i: number) => spans[i] ?? none;
  return { day: [at(found.day, 0)], hour: [at(found.hour, 0), at(found.hour, 1)], minute: [at(found.minute, 0), at(found.minute, 1)] };
}

interface SummaryRow extends StatsTotals {
  found: boolean;
  latency: number[];
  /** The buckets that counted something, as epoch ms (the series' empty buckets are filled in here, not in SQL). */
  pointAt: number[];
  pointSuccess: number[];
  pointFailed: number[];
  pointAttempts: number[];
  /** JSON, where a missing time is null (an array of timestamps would not say so). */
  byEndpoint: { endpointId: string; success: number; failed: number; lastSuccessAt: string | null; lastFailureAt: string | null }[] | null;
}

/**
 * A range's totals, latency histogram, series (and, tenant-wide, each endpoint's figures) in one
 * statement: the range's rollup rows are read once and summed each way. One endpoint's figures come
 * from its own rows plus its changes not folded yet (migrations/025); a tenant's from its rows per
 * tenant plus its changes not folded yet (023), and only the by-endpoint table reads the endpoints'
 * rows and changes, without their histograms.
 */
export async function statsSummary(tx: Tx, s: StatsScope, r: StatsRange, o: StatsReadOptions = {}): Promise<StatsSummary> {
  const { day, hour, minute } = rollupRanges(r, o.minutesOnly);
  const mine = tx`s.tenant_id = ${s.tenantId} ${s.endpointId ? tx`and s.endpoint_id = ${s.endpointId}` : tx``}`;
  const figures = tx`s.pending, s.success, s.failed, s.skipped, s.attempts, s.latency`;
  const endpointLevels = (columns: typeof figures) => tx`
      select s.day as at, ${columns} from delivery_stats_daily s where ${mine} and s.day >= ${day[0][0]} and s.day < ${day[0][1]}
      union all
      select s.hour, ${columns} from delivery_stats_hourly s where ${mine} and s.hour >= ${hour[0][0]} and s.hour < ${hour[0][1]}
      union all
      select s.hour, ${columns} from delivery_stats_hourly s where ${mine} and s.hour >= ${hour[1][0]} and s.hour < ${hour[1][1]}
      union all
      select s.minute, ${columns} from delivery_stats s where ${mine} and s.minute >= ${minute[0][0]} and s.minute < ${minute[0][1]}
      union all
      select s.minute, ${columns} from delivery_stats s where ${mine} and s.minute >= ${minute[1][0]} and s.minute < ${minute[1][1]}
      union all
      select s.minute, ${columns} from delivery_stats_changes s where ${mine} and s.minute >= ${r.since} and s.minute < ${r.until}`;
  const tenantLevel = (unit: 'day' | 'hour' | 'minute', [from, to]: Span) =>
    tx`select s.at, ${figures} from delivery_stats_by_tenant s where s.tenant_id = ${s.tenantId} and s.unit = ${unit} and s.at >= ${from} and s.at < ${to}`;
  const source = s.endpointId
    ? endpointLevels(figures)
    : tx`
      ${tenantLevel('day', day[0])}
      union all ${tenantLevel('hour', hour[0])}
      union all ${tenantLevel('hour', hour[1])}
      union all ${tenantLevel('minute', minute[0])}
      union all ${tenantLevel('minute', minute[1])}
      union all
      select s.minute, ${figures} from delivery_stats_by_tenant_changes s where s.tenant_id = ${s.tenantId} and s.minute >= ${r.since} and s.minute < ${r.until}`;
  const perEndpoint = !s.endpointId && o.byEndpoint
    ? tx`
      select e.endpoint_id, sum(e.success)::int as success, sum(e.failed)::int as failed,
             max(e.last_success_at) as last_success_at, max(e.last_failure_at) as last_failure_at
      from (${endpointLevels(tx`s.endpoint_id, s.pending, s.success, s.failed, s.skipped, s.last_success_at, s.last_failure_at`)}) e
      group by 1 having sum(e.success + e.failed + e.pending + e.skipped) > 0`
    : tx`select null::text as endpoint_id, 0 as success, 0 as failed, null::timestamptz as last_success_at, null::timestamptz as last_failure_at where false`;
  const [row] = await tx<SummaryRow[]>`
    with src as materialized (${source}
    ), lat as (
      select ${tx.unsafe(SUM_BY_BUCKET)} as counts from src
    ), points as (
      select date_trunc(${r.bucket}, src.at, 'UTC') as start, sum(src.success) as success, sum(src.failed) as failed, sum(src.attempts) as attempts
      from src group by 1
    ), series as (
      select coalesce(array_agg(extract(epoch from p.start)::float8 * 1000), '{}') as point_at, coalesce(array_agg(p.success::int), '{}') as point_success,
             coalesce(array_agg(p.failed::int), '{}') as point_failed, coalesce(array_agg(p.attempts::int), '{}') as point_attempts
      from points p
    ), per_endpoint as (${perEndpoint}
    )
    select ${s.endpointId ? tx`exists (select 1 from endpoints e where e.id = ${s.endpointId})` : tx`true`} as found,
      t.*, (select lat.counts from lat) as latency, series.*,
      (select json_agg(json_build_object('endpointId', pe.endpoint_id, 'success', pe.success, 'failed', pe.failed,
                                         'lastSuccessAt', pe.last_success_at, 'lastFailureAt', pe.last_failure_at) order by pe.endpoint_id)
       from per_endpoint pe) as by_endpoint
    from (
      select coalesce(sum(src.pending), 0)::int as pending, coalesce(sum(src.success), 0)::int as success,
             coalesce(sum(src.failed), 0)::int as failed, coalesce(sum(src.skipped), 0)::int as skipped,
             coalesce(sum(src.attempts), 0)::int as attempts
      from src
    ) t, series`;
  const x = row!;
  const at = (iso: string | null) => (iso ? new Date(iso) : null);
  return {
    found: x.found,
    totals: { pending: x.pending, success: x.success, failed: x.failed, skipped: x.skipped, attempts: x.attempts },
    latency: x.latency,
    series: fillSeries(r, x.pointAt.map((at, i) => ({ at, success: x.pointSuccess[i]!, failed: x.pointFailed[i]!, attempts: x.pointAttempts[i]! }))),
    byEndpoint: (x.byEndpoint ?? []).map((e) => ({ ...e, lastSuccessAt: at(e.lastSuccessAt), lastFailureAt: at(e.lastFailureAt) })),
  };
}

/**
 * Deletes up to `limit` of the tenant's rollup rows wholly older than `days` days, at each level; an
 * endpoint's row that still counts a pending delivery stays. The tenant's own rows go once they count
 * nothing: the decrements of the deliveries purged with them may still wait in the change log, and a
 * row deleted before they are folded would leave them to take its counts away a second time. Deleting
 * a row of zeros (its latency aside) changes no answer. The most rows deleted at one level: `limit` says there may be more.
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
    ), days as (
      select endpoint_id, day from delivery_stats_daily
      where tenant_id = ${tenantId} and day < now() - make_interval(days => ${days}) - interval '1 day' and pending = 0
      order by day limit ${limit}
    ), grains as (
      select unit, at from delivery_stats_by_tenant
      where tenant_id = ${tenantId} and at < now() - make_interval(days => ${days}) - (case unit when 'minute' then interval '1 minute' when 'hour' then interval '1 hour' else interval '1 day' end)
        and pending = 0 and success = 0 and failed = 0 and skipped = 0 and attempts = 0
      order by at limit ${limit}
    ), m as (
      delete from delivery_stats s using minutes d where s.tenant_id = ${tenantId} and s.endpoint_id = d.endpoint_id and s.minute = d.minute
      returning 1
    ), h as (
      delete from delivery_stats_hourly s using hours d where s.tenant_id = ${tenantId} and s.endpoint_id = d.endpoint_id and s.hour = d.hour
      returning 1
    ), dd as (
      delete from delivery_stats_daily s using days d where s.tenant_id = ${tenantId} and s.endpoint_id = d.endpoint_id and s.day = d.day
      returning 1
    ), t as (
      delete from delivery_stats_by_tenant s using grains g where s.tenant_id = ${tenantId} and s.unit = g.unit and s.at = g.at
      returning 1
    )
    select greatest((select count(*) from m), (select count(*) from h), (select count(*) from dd), (select count(*) from t))::int as n`;
  return row!.n;
}

/**
 * Builds the three rollup levels and the per-tenant rows from the delivery log in one statement (the
 * owner's connection, the rollup empty, its triggers off while the deliveries and attempts went in):
 * what the triggers (and the fold) would have written had each delivery been inserted as it is now and
 * its attempts after it. A bulk load's
 * shortcut (bench/stats.ts), not a repair: a rollup that saw status changes and deletions also holds
 * their history (the latency of deleted deliveries' attempts, the last success of a delivery since failed).
 */
export async function rebuildStats(sql: Sql): Promise<{ minutes: number; hours: number; days: number; tenantRows: number }> {
  const [row] = await sql<{ minutes: number; hours: number; days: number; tenantRows: number }[]>`
    with lat as (
      select b.endpoint_id, b.minute, max(b.k) as top, array_agg(b.k) as buckets, array_agg(b.n) as counts
      from (
        select d.endpoint_id, date_trunc('minute', d.created_at, 'UTC') as minute, hookline_latency_bucket(a.duration_ms) as k, count(*)::int as n
        from attempts a join deliveries d on d.tenant_id = a.tenant_id and d.id = a.delivery_id group by 1, 2, 3
      ) b group by 1, 2
    ), hist as (
      -- Dense from bucket 1 to the highest used, as the attempt trigger makes it.
      select l.endpoint_id, l.minute,
        (select array_agg(coalesce(c.n, 0) order by i) from generate_series(1, l.top) i left join unnest(l.buckets, l.counts) as c(b, n) on c.b = i) as latency
      from lat l
    ), m as (
      insert into delivery_stats (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
      select c.tenant_id, c.endpoint_id, c.minute, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(h.latency, '{}'), c.last_success_at, c.last_failure_at
      from (
        select d.tenant_id, d.endpoint_id, date_trunc('minute', d.created_at, 'UTC') as minute,
          count(*) filter (where d.status = 'pending') as pending, count(*) filter (where d.status = 'success') as success,
          count(*) filter (where d.status = 'failed') as failed, count(*) filter (where d.status = 'skipped') as skipped,
          coalesce(sum(d.attempt_count), 0) as attempts,
          max(coalesce(d.last_attempt_at, d.updated_at)) filter (where d.status = 'success') as last_success_at,
          max(coalesce(d.last_attempt_at, d.updated_at)) filter (where d.status = 'failed') as last_failure_at
        from deliveries d group by 1, 2, 3
      ) c left join hist h on h.endpoint_id = c.endpoint_id and h.minute = c.minute
      returning *
    ), hl as (
      select x.endpoint_id, x.hour, array_agg(x.n order by x.k) as latency
      from (
        select m.endpoint_id, date_trunc('hour', m.minute, 'UTC') as hour, u.k, sum(u.n)::int as n
        from m cross join lateral unnest(m.latency) with ordinality as u(n, k) group by 1, 2, 3
      ) x group by 1, 2
    ), h as (
      insert into delivery_stats_hourly (tenant_id, endpoint_id, hour, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
      select c.tenant_id, c.endpoint_id, c.hour, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(hl.latency, '{}'), c.last_success_at, c.last_failure_at
      from (
        select m.tenant_id, m.endpoint_id, date_trunc('hour', m.minute, 'UTC') as hour, sum(m.pending) as pending, sum(m.success) as success,
          sum(m.failed) as failed, sum(m.skipped) as skipped, sum(m.attempts) as attempts,
          max(m.last_success_at) as last_success_at, max(m.last_failure_at) as last_failure_at
        from m group by 1, 2, 3
      ) c left join hl on hl.endpoint_id = c.endpoint_id and hl.hour = c.hour
      returning 1
    ), dl as (
      select x.endpoint_id, x.day, array_agg(x.n order by x.k) as latency
      from (
        select m.endpoint_id, date_trunc('day', m.minute, 'UTC') as day, u.k, sum(u.n)::int as n
        from m cross join lateral unnest(m.latency) with ordinality as u(n, k) group by 1, 2, 3
      ) x group by 1, 2
    ), d as (
      insert into delivery_stats_daily (tenant_id, endpoint_id, day, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
      select c.tenant_id, c.endpoint_id, c.day, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(dl.latency, '{}'), c.last_success_at, c.last_failure_at
      from (
        select m.tenant_id, m.endpoint_id, date_trunc('day', m.minute, 'UTC') as day, sum(m.pending) as pending, sum(m.success) as success,
          sum(m.failed) as failed, sum(m.skipped) as skipped, sum(m.attempts) as attempts,
          max(m.last_success_at) as last_success_at, max(m.last_failure_at) as last_failure_at
        from m group by 1, 2, 3
      ) c left join dl on dl.endpoint_id = c.endpoint_id and dl.day = c.day
      returning 1
    ), tm as (
      -- Each tenant's minutes, then its hours and days from them; histograms summed by bucket index and
      -- cut after their highest non-empty bucket, as the fold leaves them.
      select m.tenant_id, m.minute as at, sum(m.pending)::int as pending, sum(m.success)::int as success, sum(m.failed)::int as failed,
        sum(m.skipped)::int as skipped, sum(m.attempts)::int as attempts, ${sql.unsafe(SUM_BY_BUCKET.replaceAll('src.', 'm.'))} as latency
      from m group by 1, 2
    ), grains as (
      select tm.tenant_id, 'minute' as unit, tm.at, tm.pending, tm.success, tm.failed, tm.skipped, tm.attempts, tm.latency from tm
      union all
      select g.tenant_id, g.unit, date_trunc(g.unit, g.at, 'UTC'), sum(g.pending)::int, sum(g.success)::int, sum(g.failed)::int,
        sum(g.skipped)::int, sum(g.attempts)::int, ${sql.unsafe(SUM_BY_BUCKET.replaceAll('src.', 'g.'))}
      from (select tm.*, u.unit from tm cross join (values ('hour'), ('day')) as u(unit)) g group by 1, 2, 3
    ), t as (
      insert into delivery_stats_by_tenant (tenant_id, unit, at, pending, success, failed, skipped, attempts, latency)
      select g.tenant_id, g.unit, g.at, g.pending, g.success, g.failed, g.skipped, g.attempts,
        coalesce(g.latency[1:(select max(b.k) from unnest(g.latency) with ordinality as b(n, k) where b.n <> 0)], '{}')
      from grains g
      returning 1
    )
    select (select count(*) from m)::int as minutes, (select count(*) from h)::int as hours, (select count(*) from d)::int as days,
      (select count(*) from t)::int as tenant_rows`;
  return row!;
}

/** Moves up to `maxRows` of the oldest unfolded changes of each log (per tenant, per endpoint) into their rows; how many it moved. */
export async function foldStats(sql: Sql, maxRows: number): Promise<number> {
  const [row] = await sql<{ moved: number }[]>`select hookline_stats_fold(${maxRows}) as moved`;
  return row!.moved;
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
