import { Context } from '@temporalio/activity';
import { fifoQueueHead, type QueuedDelivery } from '../../db/queries/flow';
import { withTenant } from '../../db/sql';
import { forEachLimited } from '../../infra/concurrency';
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
const RELEASE_CONCURRENCY = 16;

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
      // A long queue takes many starts: several at once, and a retry goes on from the last page done
      // (the heartbeat), so the activity does not time out and start over from the head each time.
      const resumed = Context.current().info.heartbeatDetails as { afterSeq: string; released: number } | undefined;
      let released = resumed?.released ?? 0;
      let afterSeq = resumed?.afterSeq ?? '0';
      for (;;) {
        const head = await withTenant(sql, input.tenantId, (tx) => fifoQueueHead(tx, input.endpointId, RELEASE_PAGE, afterSeq));
        if (!head || head.queue.length === 0) return released;
        const queue = head.queue;
        await forEachLimited(queue.length, RELEASE_CONCURRENCY, (i) =>
          startDeliveryWorkflow(client, config.temporal.taskQueue, { ...input, ...view(queue[i]!), ...(config.localSend ? { localSend: true } : {}) }),
        );
        released += queue.length;
        afterSeq = queue[queue.length - 1]!.seq;
        Context.current().heartbeat({ afterSeq, released });
        if (queue.length < RELEASE_PAGE) return released;
      }
    },
  };
}
