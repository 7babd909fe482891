import type { RateSlot } from '../../workflows/types';

/**
 * What one call of the deliver activity returns to its workflow (a failure is thrown instead, typed
 * with `FailureType`). The names along the way: a send's answer is a `SendResult`, what it means a
 * `Verdict` (domain/classify.ts), this call's return an `AttemptResult`, the workflow's end a
 * `DeliveryResult`, and what the endpoint's workflow is told a `DeliveryOutcome`.
 */
export interface AttemptResult {
  attempt: number;
  responseStatus: number;
  /** The endpoint's stored consecutive-failure count when the attempt was made (absent after a crash retry). */
  endpointFailures?: number;
  /** Nothing was sent: the endpoint is paused (a receiver's Retry-After) or over its rate; try again after this long. */
  waitMs?: number;
  /** The rate-limit slot reserved for this delivery: pass it back with the next call so it is not reserved twice. */
  rateSlot?: RateSlot;
}

/** Nothing sent: the workflow sleeps `waitMs` (a durable timer) and calls again, with `rateSlot` when one was reserved. */
export function waitThenRetry(attemptCount: number, waitMs: number, rateSlot?: RateSlot): AttemptResult {
  return { attempt: attemptCount, responseStatus: 0, waitMs: Math.ceil(waitMs), ...(rateSlot ? { rateSlot } : {}) };
}
