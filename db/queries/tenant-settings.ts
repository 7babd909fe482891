import type { TenantSettings } from '../../domain/tenant-settings';
import type { Tx } from '../sql';

interface Raw {
  legacySignature: string | null;
  retryScheduleMs: number[] | null;
  disableAfterFailures: number | null;
  publishPerSecond: number | null;
  fairnessWeight: number | null;
  circuitFailures: number | null;
  circuitWindowMs: number | null;
  circuitCoolDownMs: number | null;
}

const parse = (r: Raw | undefined): TenantSettings => ({
  legacySignature: r?.legacySignature ? JSON.parse(r.legacySignature) : null,
  retryScheduleMs: r?.retryScheduleMs ?? null,
  disableAfterFailures: r?.disableAfterFailures ?? null,
  publishPerSecond: r?.publishPerSecond ?? null,
  fairnessWeight: r?.fairnessWeight ?? null,
  circuitFailures: r?.circuitFailures ?? null,
  circuitWindowMs: r?.circuitWindowMs ?? null,
  circuitCoolDownMs: r?.circuitCoolDownMs ?? null,
});

const RAW_COLUMNS = 'legacy_signature::text as legacy_signature, retry_schedule_ms, disable_after_failures, publish_per_second, fairness_weight, circuit_failures, circuit_window_ms, circuit_cool_down_ms';

/** The tenant set for the transaction's settings (all null when it has none). */
export async function getTenantSettings(tx: Tx): Promise<TenantSettings> {
  const [row] = await tx<Raw[]>`
    select ${tx.unsafe(RAW_COLUMNS)} from tenant_settings`;
  return parse(row);
}

export async function saveTenantSettings(tx: Tx, tenantId: string, s: TenantSettings): Promise<TenantSettings> {
  const legacy = s.legacySignature === null ? null : JSON.stringify(s.legacySignature);
  const [row] = await tx<Raw[]>`
    insert into tenant_settings (tenant_id, legacy_signature, retry_schedule_ms, disable_after_failures, publish_per_second, fairness_weight, circuit_failures, circuit_window_ms, circuit_cool_down_ms)
    values (${tenantId}, ${legacy}::text::jsonb, ${s.retryScheduleMs}::integer[], ${s.disableAfterFailures}, ${s.publishPerSecond}, ${s.fairnessWeight},
      ${s.circuitFailures}, ${s.circuitWindowMs}, ${s.circuitCoolDownMs})
    on conflict (tenant_id) do update set legacy_signature = excluded.legacy_signature,
      retry_schedule_ms = excluded.retry_schedule_ms, disable_after_failures = excluded.disable_after_failures,
      publish_per_second = excluded.publish_per_second, fairness_weight = excluded.fairness_weight, circuit_failures = excluded.circuit_failures,
      circuit_window_ms = excluded.circuit_window_ms, circuit_cool_down_ms = excluded.circuit_cool_down_ms, updated_at = now()
    returning ${tx.unsafe(RAW_COLUMNS)}`;
  return parse(row);
}

/** The disable threshold the tenant set, or null (the endpoint workflow's activity asks on every failure). */
export async function tenantDisableThreshold(tx: Tx): Promise<number | null> {
  const [row] = await tx<{ disableAfterFailures: number | null }[]>`select disable_after_failures from tenant_settings`;
  return row?.disableAfterFailures ?? null;
}

/** The publish limit the tenant set (events a second; 0: none), or null to inherit the deployment's. */
export async function tenantPublishLimit(tx: Tx): Promise<number | null> {
  const [row] = await tx<{ publishPerSecond: number | null }[]>`select publish_per_second from tenant_settings`;
  return row?.publishPerSecond ?? null;
}

/** The fairness weights the given tenants set (the relay's view, across tenants: a definer function). */
export async function fairnessWeights(tx: Tx, tenantIds: string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await tx<{ tenantId: string; weight: number }[]>`select tenant_id, weight from hookline_fairness_weights(${tenantIds}::text[])`;
  return new Map(rows.map((r) => [r.tenantId, r.weight]));
}
