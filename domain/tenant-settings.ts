import type { CircuitSettings } from './circuit';

/**
 * A tenant's overrides of the deployment's defaults (GET/PATCH /v1/tenants/:id/settings). Each is
 * null to inherit the environment's value, and is validated as strictly as that variable.
 */

/** How the legacy header's value reads: `sha256=<hex>` (both seed products) or bare `<hex>`. */
export const LEGACY_FORMATS = ['sha256=hex', 'hex'] as const;
export type LegacyFormat = (typeof LEGACY_FORMATS)[number];

export interface LegacySignature {
  header: string;
  format: LegacyFormat;
}

export interface TenantSettings {
  /** null: HOOKLINE_LEGACY_SIGNATURE_HEADER's; 'none': no legacy header even if the deployment sets one. */
  legacySignature: LegacySignature | 'none' | null;
  /** null: HOOKLINE_RETRY_SCHEDULE's. */
  retryScheduleMs: number[] | null;
  /** null: HOOKLINE_DISABLE_AFTER_FAILURES's. */
  disableAfterFailures: number | null;
  /** Events a second POST /v1/events accepts for the tenant; 0: no limit; null: HOOKLINE_PUBLISH_RATE_PER_SECOND's. */
  publishPerSecond: number | null;
  /** The tenant's share of worker capacity against other tenants' (domain/fairness.ts); null: 1. */
  fairnessWeight: number | null;
  /** Its endpoints' circuit breakers within CIRCUIT_BOUNDS (domain/circuit.ts); null: HOOKLINE_CIRCUIT_*'s. */
  circuitFailures: number | null;
  circuitWindowMs: number | null;
  circuitCoolDownMs: number | null;
}

export const NO_SETTINGS: TenantSettings = {
  legacySignature: null, retryScheduleMs: null, disableAfterFailures: null, publishPerSecond: null,
  fairnessWeight: null, circuitFailures: null, circuitWindowMs: null, circuitCoolDownMs: null,
};

export interface Defaults {
  legacySignatureHeader?: string;
  retryScheduleMs: number[];
  disableAfterFailures: number;
  publishPerSecond: number;
}

/** What applies to the tenant: its settings over the deployment's defaults. */
export function effectiveSettings(
  s: TenantSettings,
  d: Defaults,
): { legacySignature: LegacySignature | null; retryScheduleMs: number[]; disableAfterFailures: number; publishPerSecond: number; fairnessWeight: number } {
  const legacySignature =
    s.legacySignature === 'none' ? null : (s.legacySignature ?? (d.legacySignatureHeader ? { header: d.legacySignatureHeader, format: 'sha256=hex' as const } : null));
  return {
    legacySignature,
    retryScheduleMs: s.retryScheduleMs ?? d.retryScheduleMs,
    disableAfterFailures: s.disableAfterFailures ?? d.disableAfterFailures,
    publishPerSecond: s.publishPerSecond ?? d.publishPerSecond,
    fairnessWeight: s.fairnessWeight ?? 1,
  };
}


/** The circuit breaker that applies to the tenant's endpoints: its overrides over the deployment's settings. */
export function effectiveCircuit(s: Pick<TenantSettings, 'circuitFailures' | 'circuitWindowMs' | 'circuitCoolDownMs'>, d: CircuitSettings): CircuitSettings {
  const coolDownMs = s.circuitCoolDownMs ?? d.coolDownMs;
  return { failures: s.circuitFailures ?? d.failures, windowMs: s.circuitWindowMs ?? d.windowMs, coolDownMs, coolDownMaxMs: Math.max(coolDownMs, d.coolDownMaxMs) };
}

const UNITS: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];

/** 1800000 → "30m": the largest unit that divides the delay, as a schedule is written. */
export function formatDelay(ms: number): string {
  for (const [unit, size] of UNITS) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export const formatSchedule = (ms: number[]) => ms.map(formatDelay).join(',');
