import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setDefaultSignalHandler,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities';
import { deliveryWorkflow } from './delivery';
import { createFifoQueue } from './fifo';
import { deliveryOutcomeSignal, endpointStateQuery, fifoWakeSignal, sendTestSignal, setEnabledSignal } from './messages';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from './search-attributes';
import { workflowIds, type DeliveryOutcome, type DisabledReason, type EndpointInput, type EndpointMessage, type EndpointState, type TestRequest } from './types';

/** Patches: histories recorded before each change replay the old way (test/replay). */
const ARRIVAL_ORDER = 'endpoint-signals-in-arrival-order';
const HAND_OVER_MID_QUEUE = 'endpoint-continue-as-new-mid-queue';

const { saveFailureCount, disableEndpoint } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/**
 * One long-lived workflow per endpoint: the durable owner of its consecutive-failure count.
 * Messages are queued by the signal handlers and handled one at a time, in arrival order.
 */
export async function endpointWorkflow(input: EndpointInput): Promise<void> {
  const state: EndpointState = input.state ?? { consecutiveFailures: 0, enabled: true, disabledReason: null };
  const pending: EndpointMessage[] = [...(input.pending ?? [])];
  const ids = { tenantId: input.tenantId, endpointId: input.endpointId };
  // A FIFO endpoint's deliveries run one at a time from here (fifo.ts); its queue is in Postgres.
  let handling = false;
  const fifo = createFifoQueue({ ...ids, enabled: () => state.enabled, settled: () => pending.length === 0 && !handling }, input.fifoWake ?? false);
  fifo.start();

  function enqueue(name: string, arg: unknown): void {
    if (name === fifoWakeSignal.name) fifo.wake();
    else if (name === deliveryOutcomeSignal.name) pending.push({ kind: 'outcome', ...(arg as DeliveryOutcome) });
    else if (name === sendTestSignal.name) pending.push({ kind: 'test', ...(arg as TestRequest) });
    else if (name === setEnabledSignal.name) pending.push({ kind: 'enabled', enabled: (arg as { enabled: boolean }).enabled });
  }
  if (patched(ARRIVAL_ORDER)) {
    // Signals buffered before the first workflow task reach per-name handlers grouped by name;
    // one handler for all of them keeps them in arrival order.
    setDefaultSignalHandler(enqueue);
  } else {
    for (const signal of [deliveryOutcomeSignal, sendTestSignal, setEnabledSignal]) setHandler(signal, (arg: unknown) => enqueue(signal.name, arg));
  }
  setHandler(endpointStateQuery, () => ({ ...state }));

  async function disable(reason: DisabledReason): Promise<void> {
    state.enabled = false;
    state.disabledReason = reason;
    await disableEndpoint({ ...ids, reason, consecutiveFailures: state.consecutiveFailures, noticeEventId: `evt_${uuid4()}` });
  }

  async function handle(message: EndpointMessage): Promise<void> {
    switch (message.kind) {
      case 'outcome':
        if (message.ok) {
          if (state.consecutiveFailures === 0) return;
          state.consecutiveFailures = 0;
          await saveFailureCount({ ...ids, consecutiveFailures: 0 });
          return;
        }
        state.consecutiveFailures += 1;
        if (message.gone) {
          if (state.enabled) await disable('gone');
          return;
        }
        {
          const { disableAfterFailures } = await saveFailureCount({ ...ids, consecutiveFailures: state.consecutiveFailures });
          if (state.enabled && state.consecutiveFailures >= disableAfterFailures) await disable('consecutive_failures');
        }
        return;
      case 'enabled':
        state.enabled = message.enabled;
        state.disabledReason = message.enabled ? null : 'manual';
        if (message.enabled) fifo.wake(); // a FIFO queue held by the disable goes on
        if (message.enabled && state.consecutiveFailures > 0) {
          state.consecutiveFailures = 0;
          await saveFailureCount({ ...ids, consecutiveFailures: 0 });
        }
        return;
      case 'test':
        try {
          await startChild(deliveryWorkflow, {
            workflowId: workflowIds.delivery(message.deliveryId),
            args: [{ ...ids, deliveryId: message.deliveryId, eventId: message.eventId, eventType: 'webhook.test', kind: 'test' }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: [
              { key: TENANT_ID, value: input.tenantId },
              { key: ENDPOINT_ID, value: input.endpointId },
              { key: EVENT_TYPE, value: 'webhook.test' },
            ],
          });
        } catch (err) {
          // The same test signalled twice (the relay repeats a call it cannot confirm): it runs already.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
    }
  }

  try {
    // A FIFO delivery in progress finishes in this run; the queue stops before the next one.
    const readyToHandOver = () => workflowInfo().continueAsNewSuggested && !fifo.state.busy;
    for (;;) {
      await condition(() => pending.length > 0 || readyToHandOver() || fifo.state.failure !== undefined);
      if (fifo.state.failure !== undefined) throw fifo.state.failure;
      // Hand over mid-queue when Temporal suggests it, so a steady stream of outcomes cannot grow
      // one run's history without bound; the rest of the queue travels with the state.
      const handOverMidQueue = patched(HAND_OVER_MID_QUEUE);
      while (pending.length > 0 && !(handOverMidQueue && readyToHandOver())) {
        handling = true;
        try {
          await handle(pending.shift()!);
        } finally {
          handling = false;
        }
      }
      if (readyToHandOver()) {
        await condition(allHandlersFinished);
        const fifoWake = fifo.state.wanted || fifo.state.busy;
        return await continueAsNew<typeof endpointWorkflow>({ ...ids, state, pending, ...(fifoWake ? { fifoWake } : {}) });
      }
    }
  } catch (err) {
    // Deleting the endpoint cancels this workflow: that is its normal end.
    if (isCancellation(err)) return;
    throw err;
  }
}
