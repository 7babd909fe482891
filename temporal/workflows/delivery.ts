import { ActivityFailure, ApplicationFailure, continueAsNew, getExternalWorkflowHandle, isCancellation, patched, proxyActivities, proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';
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
const { signalEndpoint } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/** One event to one endpoint: sign, send, retry by the schedule, then tell the endpoint's workflow. */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  let result: DeliveryResult;
  let nothingToReset = false;
  try {
    const attempt = input.localSend ? deliverLocally : deliver;
    let sent = await attempt(input);
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

async function reportOutcome(input: DeliveryInput, outcome: DeliveryOutcome): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowIds.endpoint(input.endpointId)).signal(deliveryOutcomeSignal, outcome);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The endpoint's workflow is not running (never started, or ended): start it with the signal.
    await signalEndpoint({ tenantId: input.tenantId, endpointId: input.endpointId, outcome });
  }
}
