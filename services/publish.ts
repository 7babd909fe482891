import type { DeliveryStatus } from '../domain/enums';
import { notFound } from '../domain/errors';
import { newId } from '../domain/ids';
import { insertDeliveries, insertEvent, subscribedEndpoints, UnknownTenantError } from '../db/queries/events';
import { enqueue, type OutboxMessage } from '../db/queries/outbox';
import { withTenant } from '../db/sql';
import type { ServiceDeps } from './deps';

export interface PublishInput {
  tenantId: string;
  type: string;
  data: unknown;
  /** Idempotency key: publishing the same id again for the tenant changes nothing. */
  id?: string;
}

export interface PublishOptions {
  /** Only endpoints that name the type, not `*` subscribers (for `webhook.disabled`). */
  explicitOnly?: boolean;
  excludeEndpointId?: string;
}

export interface PublishResult {
  id: string;
  /** False when the id had been published before. */
  created: boolean;
  /** Deliveries started: one per enabled subscriber. */
  deliveries: number;
  /** Deliveries logged as `skipped`: one per disabled subscriber. */
  skipped: number;
}

/** One outbox row starts at most this many delivery workflows, so a huge fan-out is shared among relays. */
export const DELIVERIES_PER_OUTBOX_ROW = 100;

/**
 * Stores the event, a delivery per subscribed endpoint and the outbox rows that start their
 * workflows, in one transaction. Its commit is the promise that the event will be delivered: the
 * relay in the workers starts the workflows from the outbox, whatever crashes after the commit.
 */
export async function publishEvent(deps: ServiceDeps, input: PublishInput, opts: PublishOptions = {}): Promise<PublishResult> {
  const id = input.id ?? newId('evt');
  try {
    return await withTenant(deps.sql, input.tenantId, async (tx) => {
      if (!(await insertEvent(tx, { tenantId: input.tenantId, id, type: input.type, data: input.data }))) {
        return { id, created: false, deliveries: 0, skipped: 0 };
      }
      const endpoints = await subscribedEndpoints(tx, input.type, opts);
      const rows = endpoints.map((e) => ({
        id: newId('dlv'),
        endpointId: e.id,
        kind: 'event' as const,
        status: (e.enabled ? 'pending' : 'skipped') as DeliveryStatus,
      }));
      await insertDeliveries(tx, input.tenantId, id, rows);
      const pending = rows.filter((r) => r.status === 'pending');
      const messages: OutboxMessage[] = [];
      for (let i = 0; i < pending.length; i += DELIVERIES_PER_OUTBOX_ROW) {
        const part = pending.slice(i, i + DELIVERIES_PER_OUTBOX_ROW);
        messages.push({ kind: 'deliver', payload: { eventId: id, eventType: input.type, deliveries: part.map((r) => ({ id: r.id, endpointId: r.endpointId, kind: r.kind })) } });
      }
      await enqueue(tx, { tenantId: input.tenantId, taskQueue: deps.config.temporal.taskQueue }, messages);
      return { id, created: true, deliveries: pending.length, skipped: rows.length - pending.length };
    });
  } catch (err) {
    if (err instanceof UnknownTenantError) throw notFound('tenant');
    throw err;
  }
}
