import { ParentClosePolicy, proxyActivities, startChild, uuid4 } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../../activities';
import { deliveryWorkflow } from '../delivery';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from '../search-attributes';
import { workflowIds, type CircuitMemory, type CircuitNews, type DisabledReason, type EndpointInput, type EndpointMessage, type EndpointState } from '../types';
import { FifoQueue } from './fifo-queue';

const { saveFailureCount, disableEndpoint, setCircuitState } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/** A half-open circuit whose probe has not answered in this long lets another delivery probe (the first one's worker may have died). */
const PROBE_ANSWER_WITHIN_MS = 120_000;
const CLOSED: CircuitMemory = { state: 'closed', opens: 0, dueAt: null };

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
 *
 * The circuit breaker (domain/circuit.ts) is this state's too (`state.circuit`): deliveries count
 * the run of failures in the endpoint row and say when it reaches the threshold (`trip`); this entity
 * opens the circuit, sleeps out the cool-down as a timer of the workflow's loop (`circuitDue`), lets
 * one probe through (half-open), and closes or opens again on the probe's answer. The row mirrors it.
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
      case 'circuit':
        return this.onCircuit(message);
      case 'circuitDue':
        return this.onCircuitDue();
      case 'enabled':
        state.enabled = message.enabled;
        state.disabledReason = message.enabled ? null : 'manual';
        // Enabled by hand: the operator says the receiver is back, so the circuit starts closed.
        if (message.enabled && this.circuit.state !== 'closed') {
          state.circuit = CLOSED;
          await setCircuitState({ ...ids, state: 'closed', opens: 0 });
        }
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

  get circuit(): CircuitMemory {
    return this.state.circuit ?? CLOSED;
  }

  /** Milliseconds until the circuit's timer is due (0 when it is), or undefined when it has none. */
  circuitDueIn(now: number): number | undefined {
    const { dueAt } = this.circuit;
    return dueAt === null ? undefined : Math.max(0, dueAt - now);
  }

  private async onCircuit(news: CircuitNews): Promise<void> {
    const c = this.circuit;
    if (news.event === 'trip') {
      if (c.state === 'closed' && this.state.enabled) await this.openCircuit(1, 'opened');
      return;
    }
    if (c.state !== 'half_open') return; // a late answer of a probe already decided
    if (!news.ok) return this.openCircuit(c.opens + 1);
    this.state.circuit = CLOSED;
    await setCircuitState({ ...this.ids, state: 'closed', opens: 0, notify: 'closed' });
  }

  /** Open: the cool-down (doubling with each opening in a row) runs out; half-open: the probe's answer is overdue. Either way one delivery may probe now. */
  private async onCircuitDue(): Promise<void> {
    const c = this.circuit;
    if (c.state === 'closed' || c.dueAt === null || Date.now() < c.dueAt) return;
    await setCircuitState({ ...this.ids, state: 'half_open', opens: c.opens });
    this.state.circuit = { state: 'half_open', opens: c.opens, dueAt: Date.now() + PROBE_ANSWER_WITHIN_MS };
  }

  private async openCircuit(opens: number, notify?: 'opened'): Promise<void> {
    const { probeInMs } = await setCircuitState({ ...this.ids, state: 'open', opens, notify });
    this.state.circuit = { state: 'open', opens, dueAt: probeInMs === null ? null : Date.now() + probeInMs };
  }

  private async disable(reason: DisabledReason): Promise<void> {
    this.state.enabled = false;
    this.state.disabledReason = reason;
    await disableEndpoint({ ...this.ids, reason, consecutiveFailures: this.state.consecutiveFailures, noticeEventId: `evt_${uuid4()}` });
  }
}
