/**
 * An endpoint's circuit breaker: after `failures` attempts in a row time out, fail to connect or
 * answer 5xx, all within `windowMs` of the first of them, the circuit opens. While open its
 * deliveries wait (uncounted, as a Retry-After pause); after a cool-down that doubles with each
 * opening in a row (up to `coolDownMaxMs`) it is half-open and one delivery is sent as a probe: a
 * success closes it, a failure opens it again.
 */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

export interface CircuitSettings {
  failures: number;
  windowMs: number;
  coolDownMs: number;
  coolDownMaxMs: number;
}

/** What a tenant may set (tenant settings), so that no tenant can turn the protection off. */
export const CIRCUIT_BOUNDS = {
  failures: { min: 3, max: 1_000 },
  windowMs: { min: 10_000, max: 3_600_000 },
  coolDownMs: { min: 5_000, max: 3_600_000 },
} as const;

/** How the breaker reads an attempt: `trip` counts toward opening, `ok` ends a run, `neutral` (408, 429) does neither. */
export type CircuitSignal = 'trip' | 'ok' | 'neutral';

export function circuitSignalOf(status: number | null): CircuitSignal {
  if (status === null || status >= 500) return 'trip';
  if (status === 408 || status === 429) return 'neutral';
  return 'ok';
}

/** The cool-down before the `opens`-th probe in a row (1-based): doubling from coolDownMs, capped. */
export function coolDownFor(opens: number, s: Pick<CircuitSettings, 'coolDownMs' | 'coolDownMaxMs'>): number {
  return Math.min(s.coolDownMaxMs, s.coolDownMs * 2 ** Math.min(Math.max(0, opens - 1), 20));
}

export interface CircuitView {
  state: CircuitState;
  openedAt: string | null;
  nextProbeAt: string | null;
}
