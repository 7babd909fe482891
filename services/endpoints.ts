import type { ServiceDeps } from './deps';
import { conflict, invalid, notFound } from '../domain/errors';
import { generateEd25519Key, importedSecretProblem, type SignatureScheme } from '../domain/endpoint-keys';
import { customHeadersProblem } from '../domain/header-names';
import { effectiveSettings } from '../domain/tenant-settings';
import { getTenantSettings } from '../db/queries/tenant-settings';
import { checkSubscription } from './event-types';
import { newId } from '../domain/ids';
import { encryptSecret, fingerprint, generateWebhookSecret } from '../domain/secrets';
import * as endpoints from '../db/queries/endpoints';
import { insertDeliveries, insertEvent } from '../db/queries/events';
import { enqueue, stopEndpointMessages } from '../db/queries/outbox';
import { withTenant, type Tx } from '../db/sql';
import { emitOperatorEvent } from '../db/queries/operator';
import { transactionTime } from '../db/queries/recoveries';
import { recoveryId, startRecoveryIn } from './recoveries';
import { prepareDestination, type DestinationFields } from './destinations';
import { changesAuth, prepareEndpointAuth, type AuthFields } from './endpoint-auth';
import { saveEndpointAuth } from '../db/queries/endpoint-auth';
import { saveRouting, type RoutingFields } from './endpoint-routing';

/**
 * Endpoint changes (the API calls them "webhooks"). Each writes its rows and, in the same
 * transaction, the outbox row that tells the endpoint's workflow; the relay carries it over.
 */
type EndpointDeps = ServiceDeps;
const to = (deps: ServiceDeps, tenantId: string) => ({ tenantId, taskQueue: deps.config.temporal.taskQueue });

export interface EndpointFields extends endpoints.FlowSettings, DestinationFields, AuthFields, RoutingFields {
  events?: string[];
  description?: string;
  /** Sent on every attempt; see domain/header-names.ts for what is refused. */
  headers?: Record<string, string>;
}

/** How a new key is made: an imported `whsec_` secret (v1), or a generated secret or ed25519 pair. */
export interface KeyChoice {
  secret?: string;
  signatureScheme?: SignatureScheme;
}

/** `maxInFlight` is a share of one worker's send slots: at most all of them. */
function checkFlow(deps: EndpointDeps, fields: endpoints.FlowSettings): void {
  const max = deps.config.workerConcurrency;
  if (fields.maxInFlight != null && fields.maxInFlight > max) throw invalid('maxInFlight', `must be at most HOOKLINE_WORKER_CONCURRENCY (${max})`);
}

const checkEvents = checkSubscription;

/** Custom headers may not take the legacy signature header's name (the tenant's or the deployment's). */
async function checkHeaders(deps: EndpointDeps, tenantId: string, headers: Record<string, string> | undefined): Promise<[string, string][] | undefined> {
  if (headers === undefined) return undefined;
  const settings = await withTenant(deps.sql, tenantId, getTenantSettings);
  const legacy = effectiveSettings(settings, deps.config).legacySignature;
  const names = [legacy?.header, deps.config.legacySignatureHeader].filter((h): h is string => Boolean(h));
  const problem = customHeadersProblem(headers, names);
  if (problem) throw invalid(problem[0], problem[1]);
  return Object.entries(headers);
}

/** The new key, sealed for storage, and what the answer shows of it: a v1 secret once, a v1a public key. */
function sealedSecret(deps: EndpointDeps, endpointId: string, choice: KeyChoice = {}) {
  const scheme = choice.signatureScheme ?? 'v1';
  if (choice.secret !== undefined) {
    if (scheme !== 'v1') throw invalid('secret', 'an imported secret is a v1 (HMAC) secret: leave signatureScheme out or v1');
    const problem = importedSecretProblem(choice.secret);
    if (problem) throw invalid('secret', problem);
  }
  const pair = scheme === 'v1a' ? generateEd25519Key() : null;
  const secret = pair ? pair.privateKey : (choice.secret ?? generateWebhookSecret());
  return {
    secret: pair ? null : secret,
    publicKey: pair?.publicKey ?? null,
    sealed: { ciphertext: encryptSecret(deps.config.encryptionKey, secret, endpointId), fingerprint: fingerprint(secret), scheme, publicKey: pair?.publicKey ?? null },
  };
}

export async function createEndpoint(deps: EndpointDeps, tenantId: string, fields: EndpointFields & KeyChoice) {
  const id = newId('ep');
  const { url, destination } = await prepareDestination(deps, id, fields);
  const authChange = await prepareEndpointAuth(deps, id, fields, fields.type ?? 'http');
  await checkEvents(deps, fields.events);
  checkFlow(deps, fields);
  const headers = await checkHeaders(deps, tenantId, fields.headers);
  const { secret, sealed } = sealedSecret(deps, id, fields);
  const row = await withTenant(deps.sql, tenantId, async (tx) => {
    if ((await endpoints.countEndpointsLocked(tx, tenantId)) >= deps.config.maxEndpointsPerTenant) {
      throw conflict(`a tenant may have at most ${deps.config.maxEndpointsPerTenant} endpoints`);
    }
    const created = await endpoints.insertEndpoint(
      tx,
      { id, tenantId, url: url!, description: fields.description ?? '', eventTypes: fields.events ?? ['*'], headers, maxInFlight: fields.maxInFlight, rateLimit: fields.rateLimit, ordering: fields.ordering, ...destination },
      sealed,
    );
    await enqueue(tx, to(deps, tenantId), [{ kind: 'start_endpoint', payload: { endpointId: id } }]);
    const withAuth = changesAuth(fields) ? (await saveEndpointAuth(tx, id, authChange))! : created;
    return (await saveRouting(tx, id, fields, withAuth))!;
  });
  return { endpoint: row, secret };
}

export async function updateEndpoint(deps: EndpointDeps, tenantId: string, id: string, patch: Partial<EndpointFields> & { enabled?: boolean; recoverSkipped?: boolean }) {
  const changesDestination = patch.url !== undefined || patch.type !== undefined || patch.config !== undefined || patch.credentials !== undefined;
  const needsType = changesDestination || changesAuth(patch);
  const current = needsType ? (await withTenant(deps.sql, tenantId, (tx) => endpoints.getEndpoint(tx, id)))?.type : undefined;
  if (needsType && !current) throw notFound('webhook');
  const { url, destination } = changesDestination ? await prepareDestination(deps, id, patch, current) : { url: undefined, destination: {} };
  const authChange = changesAuth(patch) ? await prepareEndpointAuth(deps, id, patch, current!) : undefined;
  await checkEvents(deps, patch.events);
  checkFlow(deps, patch);
  const headers = await checkHeaders(deps, tenantId, patch.headers);
  const after = await withTenant(deps.sql, tenantId, async (tx) => {
    const before = await endpoints.getEndpoint(tx, id);
    if (!before) return null;
    const flow = { maxInFlight: patch.maxInFlight, rateLimit: patch.rateLimit, ordering: patch.ordering };
    await saveRouting(tx, id, patch);
    const patched = await endpoints.updateEndpoint(tx, id, { url, eventTypes: patch.events, description: patch.description, enabled: patch.enabled, headers, ...flow, ...destination });
    const updated = authChange ? await saveEndpointAuth(tx, id, authChange) : patched;
    if (!updated) return null; // deleted since it was read
    // A change of ordering wakes the endpoint's workflow: it takes up a FIFO queue, or hands the queue
    // over to per-delivery workflows when the endpoint goes back to unordered (temporal/workflows/endpoint/fifo-queue.ts).
    if (patch.ordering !== undefined && patch.ordering !== before.ordering) {
      await enqueue(tx, to(deps, tenantId), [{ kind: 'start_endpoint', payload: { endpointId: id, fifoWake: true } }]);
    }
    // Enabling always tells the workflow (it resets the count); disabling only when it was enabled.
    if (patch.enabled !== undefined && (patch.enabled || before.enabled)) {
      await enqueue(tx, to(deps, tenantId), [{ kind: 'set_enabled', payload: { endpointId: id, enabled: patch.enabled } }]);
    }
    if (patch.enabled === true && !before.enabled) return { ...updated!, ...(await reEnabled(deps, tx, tenantId, before, patch.recoverSkipped === true)) };
    return updated;
  });
  if (!after) throw notFound('webhook');
  return after;
}

/**
 * An endpoint enabled again: the operator hears of it (endpoint.enabled), and with `recoverSkipped`
 * a recovery re-sends what was skipped since it was disabled, all in the enabling transaction.
 */
async function reEnabled(deps: EndpointDeps, tx: Tx, tenantId: string, before: endpoints.EndpointRow, recoverSkipped: boolean): Promise<{ recoveryId?: string }> {
  await emitOperatorEvent(tx, deps.config, tenantId, 'endpoint.enabled', {
    tenantId,
    endpointId: before.id,
    url: before.url,
    disabledAt: before.disabledAt?.toISOString() ?? null,
    disabledReason: before.disabledReason,
  });
  if (!recoverSkipped || !before.disabledAt) return {};
  const now = await transactionTime(tx);
  const request = { since: before.disabledAt.toISOString(), until: now.toISOString(), statuses: ['skipped' as const] };
  const id = recoveryId(tenantId, before.id, request);
  return { recoveryId: await startRecoveryIn(tx, deps, { id, tenantId, endpointId: before.id, since: before.disabledAt, until: now, statuses: ['skipped'] }) };
}

/** Deletes the endpoint with its deliveries and attempts; its workflows are cancelled by the relay. */
export async function deleteEndpoint(deps: EndpointDeps, tenantId: string, id: string): Promise<void> {
  const deleted = await withTenant(deps.sql, tenantId, async (tx) => {
    const gone = await endpoints.deleteEndpoint(tx, id);
    if (gone) await enqueue(tx, to(deps, tenantId), stopEndpointMessages(id, gone.pendingDeliveryIds));
    return gone;
  });
  if (!deleted) throw notFound('webhook');
}

/**
 * A new key (imported, generated, or an ed25519 pair when `signatureScheme` is v1a: changing the
 * scheme is a rotation; without one the endpoint keeps its scheme, v1 when a secret is imported);
 * the key it replaces keeps signing, by its own scheme, through the grace.
 */
export async function rotateEndpointKey(deps: EndpointDeps, tenantId: string, id: string, graceSeconds: number, choice: KeyChoice = {}) {
  if (choice.secret !== undefined) sealedSecret(deps, id, choice); // a bad secret is a 400 before any query
  const made = await withTenant(deps.sql, tenantId, async (tx) => {
    const endpoint = await endpoints.getEndpoint(tx, id);
    if (!endpoint) return null;
    const signatureScheme = choice.signatureScheme ?? (choice.secret === undefined ? endpoint.signatureScheme : 'v1');
    const key = sealedSecret(deps, id, { ...choice, signatureScheme });
    await endpoints.rotateSecret(tx, { id, tenantId }, key.sealed, graceSeconds);
    return key;
  });
  if (!made) throw notFound('webhook');
  return { secret: made.secret, publicKey: made.publicKey };
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
