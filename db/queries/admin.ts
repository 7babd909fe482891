import type { Sql } from '../sql';

/** The operator console's reads across tenants (admin token only), through narrow definer functions. */

export interface AdminEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt: Date | null;
  disabledReason: string | null;
  updatedAt: Date;
  circuitState: 'closed' | 'open' | 'half_open';
  circuitNextProbeAt: Date | null;
}

export interface AdminDeliveryRow {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  kind: string;
  status: string;
  attemptCount: number;
  lastAttemptAt: Date | null;
  nextRetryAt: Date | null;
  createdAt: Date;
}

/** Disabled endpoints, and with `onlyDisabled` false also enabled ones that are failing now or whose circuit is not closed. */
export function troubledEndpoints(sql: Sql, q: { onlyDisabled: boolean; limit: number }): Promise<AdminEndpointRow[]> {
  return sql<AdminEndpointRow[]>`select * from hookline_admin_endpoints(${q.onlyDisabled}, ${q.limit})`;
}

/** Deliveries whose own id, event id or endpoint id is `anyId`, newest first. */
export function findDeliveries(sql: Sql, anyId: string, limit: number): Promise<AdminDeliveryRow[]> {
  return sql<AdminDeliveryRow[]>`select * from hookline_admin_find_deliveries(${anyId}, ${limit})`;
}
