import { fifoQueueHead, type QueuedDelivery } from '../../db/queries/flow';
import { withTenant } from '../../db/sql';
import { startDeliveryWorkflow } from '../client';
import type { DeliveryKind } from '../workflows/types';
import type { ActivityDeps } from './deps';

interface EndpointIds {
  tenantId: string;
  endpointId: string;
}

/** What the endpoint workflow needs to run the next deliveries of a FIFO endpoint in order. */
export interface FifoHead {
  ordering: 'unordered' | 'fifo';
  enabled: boolean;
  queue: { deliveryId: string; eventId: string; eventType: string; kind: DeliveryKind }[];
  /** Deliveries send from a local activity (HOOKLINE_LOCAL_SEND). */
  localSend: boolean;
}

const RELEASE_PAGE = 200;

/**
 * The FIFO queue lives in Postgres (the endpoint's pending deliveries in seq order), so the
 * endpoint workflow carries no list of its own: nothing is lost across a crash or continue-as-new.
 */
export function createFifoActivities({ sql, client, config }: ActivityDeps) {
  const view = (q: QueuedDelivery) => ({ deliveryId: q.deliveryId, eventId: q.eventId, eventType: q.eventType, kind: q.kind });
  return {
    /** The endpoint's ordering and oldest pending deliveries; null when the endpoint is gone. */
    async nextFifoDeliveries(input: EndpointIds & { limit: number }): Promise<FifoHead | null> {
      const head = await withTenant(sql, input.tenantId, (tx) => fifoQueueHead(tx, input.endpointId, input.limit));
      return head && { ordering: head.ordering, enabled: head.enabled, queue: head.queue.map(view), localSend: config.localSend };
    },

    /**
     * The endpoint went back to unordered: start a workflow for each delivery still queued (deterministic
     * ids: one already running is left alone). Returns how many it looked at.
     */
    async releaseFifoQueue(input: EndpointIds): Promise<number> {
      let released = 0;
      let afterSeq = '0';
      for (;;) {
        const head = await withTenant(sql, input.tenantId, (tx) => fifoQueueHead(tx, input.endpointId, RELEASE_PAGE, afterSeq));
        if (!head || head.queue.length === 0) return released;
        for (const q of head.queue) {
          await startDeliveryWorkflow(client, config.temporal.taskQueue, { ...input, ...view(q), ...(config.localSend ? { localSend: true } : {}) });
        }
        released += head.queue.length;
        afterSeq = head.queue[head.queue.length - 1]!.seq;
        if (head.queue.length < RELEASE_PAGE) return released;
      }
    },
  };
}
