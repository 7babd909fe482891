import { z } from '@hono/zod-openapi';
import { parseInstant } from '../../domain/instant';
import { STATS_BUCKETS } from '../../domain/stats-range';
import { TENANT_ID_PATTERN } from '../schemas';

/** Query strings and answers of the statistics routes (api/routes/stats.ts, admin-stats.ts). */

const instant = (meaning: string) =>
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      const at = parseInstant(v);
      if (typeof at === 'string') {
        ctx.addIssue({ code: 'custom', message: at });
        return z.NEVER;
      }
      return at;
    })
    .optional()
    .openapi({ description: meaning, type: 'string', format: 'date-time' });

export const StatsQuery = z.strictObject({
  since: instant('Deliveries created at or after this time, rounded down to the minute (default: until − 24 h)'),
  until: instant('Deliveries created before this time, rounded up to the minute (default: now)'),
  bucket: z.enum(STATS_BUCKETS).optional().openapi({ description: 'Series step (UTC), default hour; at most 1500 points' }),
  tenantId: z
    .string()
    .regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$')
    .optional()
    .openapi({ description: 'With the admin token only (required then): whose statistics to read' }),
});

const count = z.number().int();
const rate = z.number().nullable().openapi({ description: 'success / (success + failed); null when both are 0' });

const Totals = z
  .object({ success: count, failed: count, skipped: count, pending: count, attempts: count, successRate: rate })
  .openapi('StatsTotals', { description: 'Deliveries created in the range by their status now, and their attempts: the same rows the delivery log lists for the range' });

const Point = z.object({ start: z.string(), success: count, failed: count, attempts: count }).openapi('StatsPoint');

const summary = {
  since: z.string(),
  until: z.string(),
  bucket: z.enum(STATS_BUCKETS),
  totals: Totals,
  latencyMs: z
    .object({ p50: z.number().nullable(), p95: z.number().nullable() })
    .openapi({ description: 'Attempt durations, from a histogram with buckets about 19 % wide; null with no attempts' }),
  series: z.array(Point).describe('One point per bucket, empty ones included'),
};

export const EndpointStatsSchema = z.object({ endpointId: z.string(), ...summary }).openapi('EndpointStats');

export const TenantStatsSchema = z
  .object({
    ...summary,
    byEndpoint: z.array(
      z.object({
        endpointId: z.string(), success: count, failed: count, successRate: rate,
        lastSuccessAt: z.string().nullable(), lastFailureAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('TenantStats');

const AdminStatsEndpoint = z.object({
  id: z.string(), tenantId: z.string(), url: z.string(), enabled: z.boolean(), consecutiveFailures: count,
  workflowUrl: z.string().nullable().describe("The endpoint's workflow in the Temporal Web UI (HOOKLINE_TEMPORAL_UI_URL), when set"),
});

export const AdminStatsSchema = z
  .object({
    at: z.string(),
    outbox: z.object({ rows: count, oldestAgeSeconds: count.nullable() }),
    pending: z.object({ deliveries: count, oldestAgeSeconds: count.nullable() }),
    throughput: z
      .array(z.object({ start: z.string(), success: count, failed: count, pending: count, skipped: count }))
      .describe('Deliveries created in each of the last 60 minutes, by their status now'),
    failingEndpoints: z
      .array(AdminStatsEndpoint.extend({ failed: count, success: count, successRate: rate }))
      .describe('The 10 endpoints with the most failed deliveries created in the last 24 hours'),
    recentlyDisabled: z
      .array(AdminStatsEndpoint.extend({ disabledAt: z.string().nullable(), disabledReason: z.string().nullable() }))
      .describe('Endpoints disabled in the last 24 hours'),
  })
  .openapi('AdminStats');
