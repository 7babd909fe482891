import { createHash } from 'node:crypto';

/**
 * How Temporal shares worker capacity between tenants: every workflow Hookline starts carries the
 * tenant as its fairness key (weighted round-robin across keys in the matching service) and a
 * priority lane (lower runs first). Activities inherit both from their workflow.
 */

/** Priority keys (1..5, Temporal's default range; 3 when unset). */
export const PRIORITY_LANES = {
  /** Endpoint workflows: they count failures and disable endpoints, so they go first. */
  control: 2,
  /** Deliveries of published events and test sends. */
  live: 3,
  /** Redeliveries (one by hand or a bulk recovery's) and recovery workflows: after live traffic. */
  background: 4,
} as const;
export type PriorityLane = keyof typeof PRIORITY_LANES;

/** A tenant's share relative to others (1 each by default); Temporal clamps weights to this range. */
export const FAIRNESS_WEIGHT_MIN = 0.001;
export const FAIRNESS_WEIGHT_MAX = 1000;

/** Temporal's limit on a fairness key. */
const FAIRNESS_KEY_MAX_BYTES = 64;

/** The tenant id as is when it fits Temporal's limit; else a stable digest of it (ids may be 128 characters). */
export function fairnessKeyOf(tenantId: string): string {
  if (Buffer.byteLength(tenantId, 'utf8') <= FAIRNESS_KEY_MAX_BYTES) return tenantId;
  return `sha256:${createHash('sha256').update(tenantId).digest('base64url').slice(0, 43)}`;
}
