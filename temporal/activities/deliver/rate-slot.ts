import type { DeliveryTarget } from '../../../db/queries/attempts';
import { reserveRateSlot, spaceRateSend } from '../../../db/queries/flow';
import { withTenant, type Sql } from '../../../db/sql';
import type { DeliveryInput, RateSlot } from '../../workflows/types';
import { waitThenRetry, type AttemptResult } from './attempt-result';

/** A rate-limit slot this close is waited for inside the activity, not with a workflow timer. */
const RATE_WAIT_IN_ACTIVITY_MS = 1_000;
/** How much sooner than its slot the workflow's timer ends (less than RATE_WAIT_IN_ACTIVITY_MS). */
const RATE_WAKE_EARLY_MS = 800;
/** The longest a send waits inside the activity to keep its distance from the previous one. */
const RATE_SPACING_IN_ACTIVITY_MS = 1_000;
/**
 * A send that wakes this much later than its turn was held up (a stalled worker, a loaded machine):
 * its turn is stale. Never more than a quarter of the interval: a send that lands late by up to L
 * puts the sends due in any 1000 + L ms into one second, so L must stay under one interval for no
 * second to see more than the rate + 1, and the rest of it is for the request to reach the receiver
 * on a busy machine.
 */
const RATE_TURN_LATE_MS = 250;
const lateAllowanceMs = (ratePerSecond: number) => Math.min(RATE_TURN_LATE_MS, 250 / ratePerSecond);
/** A longer wait is slept in pieces of at most this, so a change of the endpoint's rate takes effect within it. */
const RATE_WAIT_PIECE_MS = 30_000;

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds this attempt to the endpoint's rate limit (shared by every worker through Postgres). A slot
 * is reserved once per attempt: the workflow hands it back after its timer, and it counts only for
 * the attempt it was made for and at the rate it was made under. A crash between reserving and
 * returning wastes a slot (a little slower), never sends over the rate. Returns the wait when it is
 * long (nothing sent); waits out a short one here and returns nothing (send now).
 */
export async function takeRateSlot(sql: Sql, input: DeliveryInput, target: DeliveryTarget): Promise<AttemptResult | RateTurn | undefined> {
  // Test sends are not held to the rate.
  if (target.rateLimit === null || input.kind === 'test') return undefined;
  const held = input.rateSlot;
  let slot: RateSlot;
  if (held && held.epoch === target.rateEpoch && held.attemptsBefore === target.attemptCount) slot = held;
  else {
    const reserved = await withTenant(sql, input.tenantId, (tx) => reserveRateSlot(tx, input.endpointId));
    if (!reserved) return undefined; // the limit was removed meanwhile
    slot = { at: new Date(Date.now() + reserved.waitMs).toISOString(), epoch: reserved.epoch, attemptsBefore: target.attemptCount };
  }
  const late = lateAllowanceMs(target.rateLimit);
  const waitMs = Date.parse(slot.at) - Date.now();
  // The timer ends a little early and this activity, called again, waits out the rest: a timer's
  // lateness (a workflow task and an activity task under load) does not bunch the sends.
  if (waitMs > RATE_WAIT_IN_ACTIVITY_MS) return waitThenRetry(target.attemptCount, Math.min(waitMs - RATE_WAKE_EARLY_MS, RATE_WAIT_PIECE_MS), slot);
  if (waitMs > 0) await sleepMs(waitMs);
  // Slots are reserved ahead, but a send can go late (a stalled worker, a late timer) and land next
  // to the ones after it: at the moment of sending, keep it 1/rate after the previous send.
  for (;;) {
    const spacing = await withTenant(sql, input.tenantId, (tx) => spaceRateSend(tx, input.endpointId, RATE_SPACING_IN_ACTIVITY_MS));
    // A long queue of late sends: wait with a timer and a fresh slot rather than hold the activity.
    if (spacing && !spacing.taken) return waitThenRetry(target.attemptCount, spacing.waitMs);
    if (!spacing) return undefined;
    const due = Date.now() + spacing.waitMs;
    if (spacing.waitMs > 0) await sleepMs(spacing.waitMs);
    // Woken late (a stalled worker, a starved event loop): the turn has passed and later sends may have
    // gone since; going now would land beside them. Take a fresh turn instead.
    if (Date.now() - due <= late) return turn(due, late);
  }
}

/** A send's turn under the rate limit: `onTime()` is asked again at the last moment before the message goes. */
export interface RateTurn {
  onTime(): boolean;
}

const turn = (due: number, late: number): RateTurn => ({ onTime: () => Date.now() - due <= late });

/** Whether takeRateSlot's answer is a turn to send on (else a wait to return, or nothing: no limit). */
export const isRateTurn = (x: AttemptResult | RateTurn | undefined): x is RateTurn => x !== undefined && 'onTime' in x;

/** What a send that found its turn stale at the last moment returns: nothing sent; the workflow calls again at once, for a fresh turn. */
export const staleTurn = (target: DeliveryTarget): AttemptResult => waitThenRetry(target.attemptCount, 1);
