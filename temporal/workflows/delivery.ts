import { ActivityFailure, ApplicationFailure, continueAsNew, getExternalWorkflowHandle, isCancellation, patched, proxyActivities, proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { createActivities } from '../activities';
import { deliveryOutcomeSignal } from './messages';
import { WAIT_CONTINUES_AS_NEW } from './patches';
import { FailureType, workflowIds, type DeliveryInput, type DeliveryOutcome, type DeliveryResult } from './types';

// The activity sets each delay itself (schedule or Retry-After) and says when attempts are
// exhausted; this policy only paces retries after a crash or an unexpected error, without limit,
// so that an accepted delivery is never dropped by infrastructure trouble. Temporal's attempt
// counter includes the scheduled retries, so the cap keeps a crash late in a schedule from
// waiting minutes. An attempt that runs past a few seconds heartbeats, so one lost with its worker
// is retried after 10 s, not 30.
const CRASH_RETRY_MAX = '30s';
/** The wait before the regular activity when a failed first attempt named none (an unexpected error, a crash). */
const FIRST_RETRY_FALLBACK_MS = 1_000;
const { deliver } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: CRASH_RETRY_MAX },
});
// The same send as a local activity: a crashed worker's attempt is re-run when its workflow task
// times out (10 s) on another worker; backoffs past 10 s become durable timers.
const { deliver: deliverLocally } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  localRetryThreshold: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: CRASH_RETRY_MAX },
});
// One try only: whatever follows a failed first attempt is durable (a timer, then `deliver`). A worker that
// dies mid-send loses its workflow task, and the worker that takes the task over sends once more.
const { deliver: deliverFirstLocally } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});
const { signalEndpoint } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/** One event to one endpoint: sign, send, retry by the schedule, then tell the endpoint's workflow. */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  let result: DeliveryResult;
  let nothingToReset = false;
  try {
    // `localFirst`: the first attempt inside the first workflow task (which the relay's eager start
    // hands to its own worker), so a first-try success is one start and one task completion; every
    // later attempt is a durable timer and a regular activity, never a local-activity backoff that a
    // worker's death would cut short. Runs started with `localSend` alone send every attempt locally.
    const attempt = input.localSend && !input.localFirst ? deliverLocally : deliver;
    let sent = input.localFirst ? await firstAttemptLocally(input) : await attempt(input);
    // The endpoint is paused by a receiver's Retry-After, or over its rate limit: wait durably, then
    // try again (with the rate slot the activity reserved, so it is not reserved twice).
    while (sent.waitMs) {
      const next = sent.rateSlot ? { ...input, rateSlot: sent.rateSlot } : input;
      // Each wait adds a timer and an activity to the history: behind a very long backlog, go on in
      // a fresh run (same id) before the history grows too long. A parent (a FIFO queue) waits for the last run.
      if (workflowInfo().continueAsNewSuggested && patched(WAIT_CONTINUES_AS_NEW)) return await continueAsNew<typeof deliveryWorkflow>(next);
      await sleep(sent.waitMs);
      sent = await attempt(next);
    }
    result = { status: 'success' };
    // A success only resets the endpoint's count; when the stored count is already 0 the signal
    // would change nothing, so skip it (one action and four history events fewer per delivery).
    // The stored count trails the workflow's by at most one in-flight save, a window in which a
    // concurrent success may go uncounted; "consecutive" is already loose for concurrent sends.
    nothingToReset = sent.endpointFailures === 0;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const failure = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
    if (failure === FailureType.EndpointDeleted) return { status: 'failed', failure };
    if (failure !== FailureType.DeliveryFailed && failure !== FailureType.EndpointGone) throw err;
    result = { status: 'failed', failure };
  }
  // Test sends are logged but never move the endpoint's failure count.
  if (input.kind !== 'test' && !nothingToReset) {
    await reportOutcome(input, {
      deliveryId: input.deliveryId,
      ok: result.status === 'success',
      gone: result.failure === FailureType.EndpointGone,
    });
  }
  return result;
}

/** The first attempt as a local activity; after a retryable failure, the activity's delay as a durable timer and the attempt again as `deliver`. */
async function firstAttemptLocally(input: DeliveryInput): ReturnType<typeof deliver> {
  try {
    return await deliverFirstLocally(input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // A local activity's failure arrives as the activity's own error, not wrapped as a scheduled one's is.
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (!(cause instanceof ApplicationFailure || err instanceof ActivityFailure)) throw err;
    if (cause instanceof ApplicationFailure && cause.nonRetryable) {
      throw err instanceof ActivityFailure ? err : new ActivityFailure(cause.message, 'deliver', undefined, 'NON_RETRYABLE_FAILURE', undefined, cause);
    }
    // The delay the activity chose (the schedule, a Retry-After) travels as the failure's nextRetryDelay,
    // which the SDK keeps only on the failure it decoded.
    await sleep((cause instanceof ApplicationFailure && optionalTsToMs(cause.failure?.applicationFailureInfo?.nextRetryDelay)) || FIRST_RETRY_FALLBACK_MS);
    return deliver(input);
  }
}

async function reportOutcome(input: DeliveryInput, outcome: DeliveryOutcome): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowIds.endpoint(input.endpointId)).signal(deliveryOutcomeSignal, outcome);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The endpoint's workflow is not running (never started, or ended): start it with the signal.
    await signalEndpoint({ tenantId: input.tenantId, endpointId: input.endpointId, outcome });
  }
}
