import type { ServiceDeps } from './deps';
import { conflict, invalid, notFound } from '../domain/errors';
import { isKnownEventType } from '../domain/event-types';
import { newId } from '../domain/ids';
import { encryptSecret, fingerprint, generateWebhookSecret } from '../domain/secrets';
import { checkEndpointUrl } from '../domain/url-rules';
import * as endpoints from '../db/queries/endpoints';
import { insertDeliveries, insertEvent } from '../db/queries/events';
import { enqueue } from '../db/queries/outbox';
import { withTenant } from '../db/sql';

/**
 * Endpoint changes (the API calls them "webhooks"). Each writes its rows and, in the same
 * transaction, the outbox row that tells the endpoint's workflow; the relay carries it over.
 */
type EndpointDeps = ServiceDeps;
const to = (deps: ServiceDeps, tenantId: string) => ({ tenantId, taskQueue: deps.config.temporal.taskQueue });

export interface EndpointFields extends endpoints.FlowSettings {
  url: string;
  events?: string[];
  description?: string;
}

/** `maxInFlight` is a share of one worker's send slots: at most all of them. */
function checkFlow(deps: EndpointDeps, fields: endpoints.FlowSettings): void {
  const max = deps.config.workerConcurrency;
  if (fields.maxInFlight != null && fields.maxInFlight > max) throw invalid('maxInFlight', `must be at most HOOKLINE_WORKER_CONCURRENCY (${max})`);
}

async function checkUrl(deps: EndpointDeps, url: string): Promise<void> {
  const problem = await checkEndpointUrl(url, deps.config);
  if (problem) throw invalid('url', problem);
}

function checkEvents(deps: EndpointDeps, events: string[] | undefined): void {
  const unknown = deps.config.openEventTypes ? undefined : events?.find((t) => t !== '*' && !isKnownEventType(t));
  if (unknown) throw invalid('events', `unknown event type ${unknown} (see GET /v1/event-types)`);
}

function sealedSecret(deps: EndpointDeps, endpointId: string) {
  const secret = generateWebhookSecret();
  return { secret, sealed: { ciphertext: encryptSecret(deps.config.encryptionKey, secret, endpointId), fingerprint: fingerprint(secret) } };
}

export async function createEndpoint(deps: EndpointDeps, tenantId: string, fields: EndpointFields) {
  await checkUrl(deps, fields.url);
  checkEvents(deps, fields.events);
  checkFlow(deps, fields);
  const id = newId('ep');
  const { secret, sealed } = sealedSecret(deps, id);
  const row = await withTenant(deps.sql, tenantId, async (tx) => {
    if ((await endpoints.countEndpointsLocked(tx, tenantId)) >= deps.config.maxEndpointsPerTenant) {
      throw conflict(`a tenant may have at most ${deps.config.maxEndpointsPerTenant} endpoints`);
    }
    const created = await endpoints.insertEndpoint(
      tx,
      { id, tenantId, url: fields.url, description: fields.description ?? '', eventTypes: fields.events ?? ['*'], maxInFlight: fields.maxInFlight, rateLimit: fields.rateLimit, ordering: fields.ordering },
      sealed,
    );
    await enqueue(tx, to(deps, tenantId), [{ kind: 'start_endpoint', payload: { endpointId: id } }]);
    return created;
  });
  return { endpoint: row, secret };
}

export async function updateEndpoint(deps: EndpointDeps, tenantId: string, id: string, patch: Partial<EndpointFields> & { enabled?: boolean }) {
  if (patch.url !== undefined) await checkUrl(deps, patch.url);
  checkEvents(deps, patch.events);
  checkFlow(deps, patch);
  const after = await withTenant(deps.sql, tenantId, async (tx) => {
    const before = await endpoints.getEndpoint(tx, id);
    if (!before) return null;
    const flow = { maxInFlight: patch.maxInFlight, rateLimit: patch.rateLimit, ordering: patch.ordering };
    const updated = await endpoints.updateEndpoint(tx, id, { url: patch.url, eventTypes: patch.events, description: patch.description, enabled: patch.enabled, ...flow });
    // A change of ordering wakes the endpoint's workflow: it takes up a FIFO queue, or hands the queue
    // over to per-delivery workflows when the endpoint goes back to unordered (temporal/workflows/fifo.ts).
    if (patch.ordering !== undefined && patch.ordering !== before.ordering) {
      await enqueue(tx, to(deps, tenantId), [{ kind: 'start_endpoint', payload: { endpointId: id, fifoWake: true } }]);
    }
    // Enabling always tells the workflow (it resets the count); disabling only when it was enabled.
    if (patch.enabled !== undefined && (patch.enabled || before.enabled)) {
      await enqueue(tx, to(deps, tenantId), [{ kind: 'set_enabled', payload: { endpointId: id, enabled: patch.enabled } }]);
    }
    return updated;
  });
  if (!after) throw notFound('webhook');
  return after;
}

/** Deletes the endpoint with its deliveries and attempts; its workflows are cancelled by the relay. */
export async function deleteEndpoint(deps: EndpointDeps, tenantId: string, id: string): Promise<void> {
  const deleted = await withTenant(deps.sql, tenantId, async (tx) => {
    const gone = await endpoints.deleteEndpoint(tx, id);
    if (gone) await enqueue(tx, to(deps, tenantId), [{ kind: 'stop_endpoint', payload: { endpointId: id, deliveryIds: gone.pendingDeliveryIds } }]);
    return gone;
  });
  if (!deleted) throw notFound('webhook');
}

export async function rotateEndpointSecret(deps: EndpointDeps, tenantId: string, id: string, graceSeconds: number): Promise<string> {
  const { secret, sealed } = sealedSecret(deps, id);
  const found = await withTenant(deps.sql, tenantId, async (tx) => {
    if (!(await endpoints.getEndpoint(tx, id))) return false;
    await endpoints.rotateSecret(tx, { id, tenantId }, sealed, graceSeconds);
    return true;
  });
  if (!found) throw notFound('webhook');
  return secret;
}

/** A `webhook.test` event to this endpoint alone, sent through its workflow (works while disabled). */
export async function sendTestEvent(deps: EndpointDeps, tenantId: string, id: string): Promise<string> {
  const deliveryId = newId('dlv');
  const eventId = newId('evt');
  const found = await withTenant(deps.sql, tenantId, async (tx) => {
    if (!(await endpoints.getEndpoint(tx, id))) return false;
    await insertEvent(tx, { tenantId, id: eventId, type: 'webhook.test', data: { endpointId: id, message: 'This is a test event from Hookline.' } });
    await insertDeliveries(tx, tenantId, eventId, [{ id: deliveryId, endpointId: id, kind: 'test', status: 'pending' }]);
    await enqueue(tx, to(deps, tenantId), [{ kind: 'test', payload: { endpointId: id, deliveryId, eventId } }]);
    return true;
  });
  if (!found) throw notFound('webhook');
  return deliveryId;
}
