import { ParentClosePolicy, proxyActivities, startChild, uuid4 } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../../activities';
import { deliveryWorkflow } from '../delivery';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from '../search-attributes';
import { workflowIds, type DisabledReason, type EndpointInput, type EndpointMessage, type EndpointState } from '../types';
import { FifoQueue } from './fifo-queue';

const { saveFailureCount, disableEndpoint } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/**
 * One endpoint's state, changed by one message at a time (samples' safe-message-handlers
 * ClusterManager): signal handlers only queue messages (`pending`), the workflow's loop hands them
 * to `handle` in arrival order, and the FIFO queue runs beside it.
 *
 * Who owns the consecutive-failure count: this state (`state.consecutiveFailures`), alone. The
 * endpoint row's `consecutive_failures` is a copy this entity saves (saveFailureCount) for the API
 * to show and to read the tenant's threshold back; a delivery workflow reads that copy only to skip
 * telling a success that would change nothing (a count already 0). Nothing else writes it, except a
 * manual enable, which resets it here too.
 */
export class EndpointEntity {
  readonly state: EndpointState;
  /** Messages received and not yet handled, oldest first. */
  readonly pending: EndpointMessage[];
  /** A message is being handled (its activity may be running). */
  handling = false;
  readonly fifo: FifoQueue;
  private readonly ids: { tenantId: string; endpointId: string };

  constructor(input: EndpointInput) {
    this.ids = { tenantId: input.tenantId, endpointId: input.endpointId };
    this.state = input.state ?? { consecutiveFailures: 0, enabled: true, disabledReason: null };
    this.pending = [...(input.pending ?? [])];
    // A FIFO endpoint's deliveries run one at a time from here (fifo-queue.ts); its queue is in Postgres.
    this.fifo = new FifoQueue({ ...this.ids, enabled: () => this.state.enabled, settled: () => this.pending.length === 0 && !this.handling }, input.fifoWake ?? false);
  }

  /** What the next run starts from (continue-as-new). */
  handOver(): EndpointInput {
    const fifoWake = this.fifo.wanted || this.fifo.busy;
    return { ...this.ids, state: this.state, pending: this.pending, ...(fifoWake ? { fifoWake } : {}) };
  }

  async handle(message: EndpointMessage): Promise<void> {
    const { state, ids } = this;
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
          if (state.enabled) await this.disable('gone');
          return;
        }
        {
          const { disableAfterFailures } = await saveFailureCount({ ...ids, consecutiveFailures: state.consecutiveFailures });
          if (state.enabled && state.consecutiveFailures >= disableAfterFailures) await this.disable('consecutive_failures');
        }
        return;
      case 'enabled':
        state.enabled = message.enabled;
        state.disabledReason = message.enabled ? null : 'manual';
        if (message.enabled) this.fifo.wake(); // a FIFO queue held by the disable goes on
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
              { key: TENANT_ID, value: ids.tenantId },
              { key: ENDPOINT_ID, value: ids.endpointId },
              { key: EVENT_TYPE, value: 'webhook.test' },
            ],
          });
        } catch (err) {
          // The same test signalled twice (the relay repeats a call it cannot confirm): it runs already.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
    }
  }

  private async disable(reason: DisabledReason): Promise<void> {
    this.state.enabled = false;
    this.state.disabledReason = reason;
    await disableEndpoint({ ...this.ids, reason, consecutiveFailures: this.state.consecutiveFailures, noticeEventId: `evt_${uuid4()}` });
  }
}
