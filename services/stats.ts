import { notFound } from '../domain/errors';
import { quantileMs } from '../domain/latency-sketch';
import { successRate, type StatsRange } from '../domain/stats-range';
import { getEndpoint } from '../db/queries/endpoints';
import { troubledEndpoints } from '../db/queries/admin';
import {
  deploymentBacklog, deploymentThroughput, failingEndpoints, statsByEndpoint, statsLatency, statsSeries, statsTotals,
  type StatsScope,
} from '../db/queries/stats';
import { withTenant, type Sql, type Tx } from '../db/sql';

/** Delivery statistics for the API: one endpoint, a tenant, and the operator's view of the deployment. */

async function summary(tx: Tx, scope: StatsScope, range: StatsRange) {
  // Issued together: the client pipelines them on the transaction's connection (one round trip, not three).
  const [totals, latency, series] = await Promise.all([statsTotals(tx, scope, range), statsLatency(tx, scope, range), statsSeries(tx, scope, range)]);
  return {
    since: range.since,
    until: range.until,
    bucket: range.bucket,
    totals: { ...totals, successRate: successRate(totals.success, totals.failed) },
    latencyMs: { p50: quantileMs(latency, 0.5), p95: quantileMs(latency, 0.95) },
    series,
  };
}

export async function endpointStats(sql: Sql, tenantId: string, endpointId: string, range: StatsRange) {
  const found = await withTenant(sql, tenantId, async (tx) => ((await getEndpoint(tx, endpointId)) ? summary(tx, { tenantId, endpointId }, range) : null));
  if (!found) throw notFound('endpoint');
  return { endpointId, ...found };
}

export function tenantStats(sql: Sql, tenantId: string, range: StatsRange) {
  return withTenant(sql, tenantId, async (tx) => {
    const whole = await summary(tx, { tenantId }, range);
    const byEndpoint = (await statsByEndpoint(tx, tenantId, range)).map((e) => ({ ...e, successRate: successRate(e.success, e.failed) }));
    return { ...whole, byEndpoint };
  });
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
