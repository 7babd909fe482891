/** The statistics answers the portal and console read (GET /v1/webhooks/:id/stats, /v1/stats, /v1/admin/stats). */
export interface StatsTotals { success: number; failed: number; skipped: number; pending: number; attempts: number; successRate: number | null }
export interface StatsPoint { start: string; success: number; failed: number; attempts: number }
export interface EndpointStats {
  endpointId: string; since: string; until: string; bucket: 'minute' | 'hour' | 'day';
  totals: StatsTotals; latencyMs: { p50: number | null; p95: number | null }; series: StatsPoint[];
}
export interface TenantStats extends Omit<EndpointStats, 'endpointId'> {
  byEndpoint: { endpointId: string; success: number; failed: number; successRate: number | null; lastSuccessAt: string | null; lastFailureAt: string | null }[];
}
export interface AdminStatsEndpoint { id: string; tenantId: string; url: string; enabled: boolean; consecutiveFailures: number; workflowUrl: string | null }
export interface AdminStats {
  at: string;
  outbox: { rows: number; oldestAgeSeconds: number | null };
  pending: { deliveries: number; oldestAgeSeconds: number | null };
  throughput: { start: string; success: number; failed: number; pending: number; skipped: number }[];
  failingEndpoints: (AdminStatsEndpoint & { failed: number; success: number; successRate: number | null })[];
  recentlyDisabled: (AdminStatsEndpoint & { disabledAt: string | null; disabledReason: string | null })[];
}
