import { notFound } from '../domain/errors';
import { quantileMs } from '../domain/latency-sketch';
import { successRate, type StatsRange } from '../domain/stats-range';
import { troubledEndpoints } from '../db/queries/admin';
import { deploymentBacklog, deploymentThroughput, failingEndpoints, statsSummary, type StatsScope } from '../db/queries/stats';
import { withTenant, type Sql } from '../db/sql';

/** Delivery statistics for the API: one endpoint, a tenant, and the operator's view of the deployment. */

/** One statement inside the tenant's transaction: the endpoint check (for one endpoint), totals, latency, series and, tenant-wide, each endpoint. */
async function summary(sql: Sql, scope: StatsScope, range: StatsRange) {
  const s = await withTenant(sql, scope.tenantId, (tx) => statsSummary(tx, scope, range, { byEndpoint: !scope.endpointId }));
  if (!s.found) throw notFound('endpoint');
  const whole = {
    since: range.since,
    until: range.until,
    bucket: range.bucket,
    totals: { ...s.totals, successRate: successRate(s.totals.success, s.totals.failed) },
    latencyMs: { p50: quantileMs(s.latency, 0.5), p95: quantileMs(s.latency, 0.95) },
    series: s.series,
  };
  return { whole, byEndpoint: s.byEndpoint.map((e) => ({ ...e, successRate: successRate(e.success, e.failed) })) };
}

export async function endpointStats(sql: Sql, tenantId: string, endpointId: string, range: StatsRange) {
  const { whole } = await summary(sql, { tenantId, endpointId }, range);
  return { endpointId, ...whole };
}

export async function tenantStats(sql: Sql, tenantId: string, range: StatsRange) {
  const { whole, byEndpoint } = await summary(sql, { tenantId }, range);
  return { ...whole, byEndpoint };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/**
 * The deployment now: the outbox and pending backlog with their oldest rows' ages, deliveries created
 * in each of the last 60 minutes by status, the endpoints that failed most in the last 24 hours, and
 * the endpoints disabled in the last 24 hours.
 */
export async function deploymentStats(sql: Sql, now: Date) {
  const ageSeconds = (at: Date | null) => (at ? Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000)) : null);
  const firstMinute = Math.floor(now.getTime() / MINUTE) * MINUTE - 59 * MINUTE;
  const [backlog, throughput, failing, disabled] = await Promise.all([
    deploymentBacklog(sql),
    deploymentThroughput(sql, new Date(firstMinute)),
    failingEndpoints(sql, new Date(now.getTime() - DAY), 10),
    troubledEndpoints(sql, { onlyDisabled: true, limit: 200 }),
  ]);
  const byMinute = new Map(throughput.map((p) => [p.minute.getTime(), p]));
  return {
    at: now,
    outbox: { rows: backlog.outboxRows, oldestAgeSeconds: ageSeconds(backlog.outboxOldest) },
    pending: { deliveries: backlog.pendingDeliveries, oldestAgeSeconds: ageSeconds(backlog.pendingOldest) },
    throughput: Array.from({ length: 60 }, (_, i) => {
      const start = firstMinute + i * MINUTE;
      const p = byMinute.get(start);
      return { start: new Date(start), success: p?.success ?? 0, failed: p?.failed ?? 0, pending: p?.pending ?? 0, skipped: p?.skipped ?? 0 };
    }),
    failingEndpoints: failing.map((e) => ({ ...e, successRate: successRate(e.success, e.failed) })),
    recentlyDisabled: disabled.filter((e) => e.disabledAt && now.getTime() - e.disabledAt.getTime() <= DAY),
  };
}
