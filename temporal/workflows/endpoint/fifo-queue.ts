import { CancellationScope, ParentClosePolicy, condition, isCancellation, patched, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../../activities';
import { deliveryWorkflow } from '../delivery';
import { FIFO_QUEUE, WAIT_FOR_OUTCOMES } from '../patches';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from '../search-attributes';
import { workflowIds, type DeliveryKind } from '../types';

/** Deliveries read from the queue per activity call. */
const FIFO_BATCH = 20;
/** How often to look again at a head that another workflow runs (started before the switch to FIFO). */
const HEAD_RUNNING_ELSEWHERE_POLL = '5s';
/** A head whose workflow ended without a final status (terminated, a bug): look again after this. */
const HEAD_BROKEN_RETRY = '1m';

const { nextFifoDeliveries, releaseFifoQueue } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1m',
  retry: { maximumInterval: '1m' },
});

export interface FifoHost {
  tenantId: string;
  endpointId: string;
  /** The endpoint workflow's own view: a disabled endpoint's queue stops. */
  enabled(): boolean;
  /** No delivery outcome waits to be handled (the last one's failure may disable the endpoint). */
  settled(): boolean;
}

type Head = { deliveryId: string; eventId: string; eventType: string; kind: DeliveryKind };

const handOverSuggested = () => workflowInfo().continueAsNewSuggested;

/**
 * The FIFO queue of one endpoint, run inside its endpoint workflow. Postgres is the queue (pending
 * deliveries in seq order); the workflow holds only a wake-up flag. Woken (`wake()`) by the relay for
 * each new delivery, by a re-enable and by a change of ordering, it runs the oldest pending delivery
 * as a child `delivery-<id>` workflow, waits for its final outcome, then takes the next, until the
 * queue is empty. It stops between deliveries when Temporal suggests continue-as-new (`busy` goes
 * false, `wanted` stays true and travels to the next run).
 */
export class FifoQueue {
  /** Woken and not yet drained. */
  wanted: boolean;
  /** Draining: a delivery may be running. */
  busy = false;
  /** Why the queue's loop stopped (not a cancellation): the workflow raises it. */
  failure: unknown = undefined;
  private readonly ids: { tenantId: string; endpointId: string };

  constructor(
    private readonly host: FifoHost,
    initiallyWanted: boolean,
  ) {
    this.ids = { tenantId: host.tenantId, endpointId: host.endpointId };
    this.wanted = initiallyWanted;
  }

  wake(): void {
    this.wanted = true;
  }

  /** Starts the queue's loop; a failure other than cancellation is kept in `failure` for the workflow to raise. */
  start(): void {
    this.run().catch((err: unknown) => {
      if (!isCancellation(err)) this.failure = err;
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      await condition(() => this.wanted && this.host.enabled() && !handOverSuggested());
      this.wanted = false;
      if (!patched(FIFO_QUEUE)) continue;
      this.busy = true;
      try {
        await this.drain();
      } finally {
        this.busy = false;
      }
    }
  }

  private async drain(): Promise<void> {
    const { host, ids } = this;
    for (;;) {
      if (!host.enabled()) return;
      if (handOverSuggested()) return void (this.wanted = true);
      const head = await nextFifoDeliveries({ ...ids, limit: FIFO_BATCH });
      if (!head || !head.enabled || head.queue.length === 0) return;
      if (head.ordering !== 'fifo') {
        // Back to unordered: whatever is still queued gets a workflow of its own.
        await releaseFifoQueue(ids);
        return;
      }
      for (const d of head.queue) {
        // The head just done reported its outcome before it ended: a final failure that disables the
        // endpoint must stop the queue before the next head starts.
        if (patched(WAIT_FOR_OUTCOMES)) await condition(() => host.settled());
        if (!host.enabled()) return;
        if (handOverSuggested()) return void (this.wanted = true);
        if (!(await this.runHead(d, head.localSend))) break; // look at the queue afresh
      }
    }
  }

  /** Runs one delivery to its end. False when it is not done yet (running elsewhere, or broken). */
  private async runHead(d: Head, localSend: boolean): Promise<boolean> {
    const { ids } = this;
    try {
      const child = await startChild(deliveryWorkflow, {
        workflowId: workflowIds.delivery(d.deliveryId),
        args: [{ ...ids, deliveryId: d.deliveryId, eventId: d.eventId, eventType: d.eventType, kind: d.kind, ...(localSend ? { localSend: true } : {}) }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: TENANT_ID, value: ids.tenantId },
          { key: ENDPOINT_ID, value: ids.endpointId },
          { key: EVENT_TYPE, value: d.eventType },
        ],
      });
      await child.result();
      return true;
    } catch (err) {
      // This workflow cancelled (the endpoint was deleted) ends the queue; a child cancelled on its own
      // (by hand, in the Web UI) leaves its delivery pending at the head, to be run again below.
      if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
      // Started unordered before the endpoint became FIFO (or by an earlier run of this queue): it
      // stays the head until it ends.
      if (err instanceof WorkflowExecutionAlreadyStartedError) await sleep(HEAD_RUNNING_ELSEWHERE_POLL);
      else await sleep(HEAD_BROKEN_RETRY);
      return false;
    }
  }
}
