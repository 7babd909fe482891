import type { Client } from '@temporalio/client';
import { withTenant, type Sql } from '../db/sql';
import { fanOutWorkflow } from '../temporal/workflows/fan-out';
import { TENANT_ID, EVENT_TYPE } from '../temporal/workflows/search-attributes';
import { workflowIds, type DeliveryInput } from '../temporal/workflows/types';
import type { Config } from '../infra/config';
import { newId } from '../domain/ids';
import { startDeliveryWorkflows, startOnce } from '../temporal/client';

export interface PublishDeps {
  sql: Sql;
  client: Client;
  config: Pick<Config, 'temporal'>;
}

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
  deliveries: number;
}

export class TenantNotFoundError extends Error {}

/** Above this many subscribers the deliveries are started by a fan-out workflow rather than inline. */
export const INLINE_FAN_OUT_LIMIT = 50;

/**
 * Stores the event and its deliveries in one transaction, then starts their workflows, all before
 * returning: once this resolves, the event cannot be lost. If it throws, calling it again with the
 * same id finishes the job without duplicating anything.
 */
export async function publishEvent(deps: PublishDeps, input: PublishInput, opts: PublishOptions = {}): Promise<PublishResult> {
  const id = input.id ?? newId('evt');
  const stored = await withTenant(deps.sql, input.tenantId, async (tx) => {
    const [tenant] = await tx`select 1 as one from tenants where id = ${input.tenantId}`;
    if (!tenant) throw new TenantNotFoundError(input.tenantId);
    const inserted = await tx`
      insert into events (tenant_id, id, type, data) values (${input.tenantId}, ${id}, ${input.type}, ${tx.json(input.data as never)})
      on conflict do nothing returning id`;
    if (inserted.length === 0) {
      const rows = await tx<{ id: string; endpointId: string; type: string }[]>`
        select d.id, d.endpoint_id, ev.type from deliveries d join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
        where d.event_id = ${id} and d.kind = 'event' and d.status = 'pending'`;
      const [event] = await tx<{ type: string }[]>`select type from events where id = ${id}`;
      return { created: false, type: event!.type, deliveries: rows };
    }
    const endpoints = await tx<{ id: string }[]>`
      select id from endpoints
      where enabled and id <> ${opts.excludeEndpointId ?? ''}
        and (${input.type} = any(event_types) or (${!opts.explicitOnly} and '*' = any(event_types)))`;
    const deliveries = endpoints.map((e) => ({ id: newId('dlv'), endpointId: e.id }));
    if (deliveries.length > 0) {
      const rows = deliveries.map((d) => ({ id: d.id, tenant_id: input.tenantId, endpoint_id: d.endpointId, event_id: id, kind: 'event' }));
      await tx`insert into deliveries ${tx(rows)}`;
    }
    return { created: true, type: input.type, deliveries };
  });

  const { taskQueue } = deps.config.temporal;
  if (stored.deliveries.length > INLINE_FAN_OUT_LIMIT) {
    await startFanOut(deps.client, taskQueue, { tenantId: input.tenantId, eventId: id, eventType: stored.type });
  } else {
    const inputs: DeliveryInput[] = stored.deliveries.map((d) => ({
      deliveryId: d.id,
      tenantId: input.tenantId,
      endpointId: d.endpointId,
      eventId: id,
      eventType: stored.type,
      kind: 'event',
    }));
    await startDeliveryWorkflows(deps.client, taskQueue, inputs);
  }
  return { id, created: stored.created, deliveries: stored.deliveries.length };
}

function startFanOut(client: Client, taskQueue: string, input: { tenantId: string; eventId: string; eventType: string }): Promise<void> {
  return startOnce(client, fanOutWorkflow, {
    workflowId: workflowIds.fanOut(input.tenantId, input.eventId),
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: TENANT_ID, value: input.tenantId },
      { key: EVENT_TYPE, value: input.eventType },
    ],
  });
}
