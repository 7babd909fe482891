/**
 * Every `patched()` id in the workflows, what changed under it and which recorded histories take the
 * old path (test/fixtures/histories/<generation>-*.json; test/replay replays them all).
 *
 * Retiring a patch, in two deploys:
 * 1. Once every run that started before the change has ended or continued-as-new past it (an
 *    endpoint workflow continues as new when Temporal suggests it; check with a visibility query
 *    for runs started before the deploy that brought the patch), replace `patched(id)` with
 *    `deprecatePatch(id)` and delete the old branch. Histories that took the old branch no longer
 *    replay: delete the fixtures of the generations listed under `oldPath`.
 * 2. Once every run that recorded the marker has ended or continued-as-new (the same check against
 *    the deploy of step 1), delete the `deprecatePatch` call and the entry below.
 * Never rename an id: the id is what histories recorded.
 */

/** endpointWorkflow: one default signal handler keeps signals buffered before the first task in arrival order. */
export const ARRIVAL_ORDER = 'endpoint-signals-in-arrival-order';
/** endpointWorkflow: a long queue of messages hands over to the next run mid-queue when Temporal suggests it. */
export const HAND_OVER_MID_QUEUE = 'endpoint-continue-as-new-mid-queue';
/** endpointWorkflow: a FIFO endpoint's queue runs inside its endpoint workflow. */
export const FIFO_QUEUE = 'endpoint-fifo-queue';
/** endpointWorkflow: the next FIFO head waits until the outcomes already in are handled (one may disable). */
export const WAIT_FOR_OUTCOMES = 'fifo-next-head-after-outcomes';
/** endpointWorkflow: a run from before ARRIVAL_ORDER also handles `fifoWake` (it had no handler for it). */
export const OLD_RUN_FIFO_WAKE = 'endpoint-old-run-fifo-wake';
/** deliveryWorkflow: a long wait (rate-limit backlog, pause) continues as new when the history grows. */
export const WAIT_CONTINUES_AS_NEW = 'delivery-wait-continue-as-new';

export interface PatchNote {
  id: string;
  workflow: 'deliveryWorkflow' | 'endpointWorkflow';
  /** The fixture generations whose histories take the old path (the replay test covers them). */
  oldPath: string[];
}

export const PATCHES: readonly PatchNote[] = [
  { id: ARRIVAL_ORDER, workflow: 'endpointWorkflow', oldPath: ['v1'] },
  { id: HAND_OVER_MID_QUEUE, workflow: 'endpointWorkflow', oldPath: ['v1'] },
  { id: FIFO_QUEUE, workflow: 'endpointWorkflow', oldPath: ['v1', 'v2'] },
  { id: WAIT_FOR_OUTCOMES, workflow: 'endpointWorkflow', oldPath: ['v1', 'v2', 'v3'] },
  // Only runs on the old path of ARRIVAL_ORDER reach it: it retires with ARRIVAL_ORDER.
  { id: OLD_RUN_FIFO_WAKE, workflow: 'endpointWorkflow', oldPath: ['v1'] },
  { id: WAIT_CONTINUES_AS_NEW, workflow: 'deliveryWorkflow', oldPath: ['v1', 'v2', 'v3', 'v4'] },
];
