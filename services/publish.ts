import { invalid, notFound } from '../domain/errors';
import { OPERATOR_TENANT_ID } from '../domain/operator';
import { newId } from '../domain/ids';
import { UnknownTenantError } from '../db/queries/events';
import { insertEventWithDeliveries } from '../db/queries/publish';
import { withTenant } from '../db/sql';
import { currentTraceparent } from '../infra/tracing';
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
  // The operator's tenant receives only what Hookline reports (db/queries/operator.ts), never a producer's events.
  if (input.tenantId === OPERATOR_TENANT_ID && !opts.explicitOnly) throw invalid('tenantId', `${OPERATOR_TENANT_ID} is reserved for operational webhooks`);
  try {
    const stored = await withTenant(deps.sql, input.tenantId, (tx) =>
      insertEventWithDeliveries(tx, {
        tenantId: input.tenantId,
        id,
        type: input.type,
        data: input.data,
        taskQueue: deps.config.temporal.taskQueue,
        explicitOnly: opts.explicitOnly ?? false,
        excludeEndpointId: opts.excludeEndpointId ?? null,
        perOutboxRow: DELIVERIES_PER_OUTBOX_ROW,
        traceparent: currentTraceparent(),
      }),
    );
    return { id, ...stored };
  } catch (err) {
    if (err instanceof UnknownTenantError) throw notFound('tenant');
    throw err;
  }
}
