import type { z } from '@hono/zod-openapi';
import type { EndpointAuth } from '../domain/endpoint-auth';
import type { DeliverySchema, DeliveryWithAttemptsSchema, EndpointSchema } from './schemas';
import type { ApiKeyCreated, ApiKeySchema, TenantSchema } from './routes/tenant-schemas';
import type { EventSchema, EventSummarySchema } from './routes/search-schemas';
import type { RecoverWebhook, RecoverySchema } from './routes/recovery-schemas';
import type { EventTypeSchema } from './routes/event-type-schemas';
import type { TenantSettingsSchema } from './routes/tenant-settings';
import type { PortalSessionCreated as PortalSessionCreatedSchema, PortalSessionSchema } from './routes/portal-sessions';
import type { AdminDelivery as AdminDeliverySchema, AdminEndpoint as AdminEndpointSchema } from './routes/admin';
import type { AdminStatsSchema, EndpointStatsSchema, TenantStatsSchema } from './routes/stats-schemas';

export type Endpoint = z.infer<typeof EndpointSchema>;
/** An endpoint's flow control (issue 14); null sets a setting back to its default. */
export type FlowSettings = { maxInFlight?: number | null; rateLimit?: number | null; ordering?: 'unordered' | 'fifo' };
/** An endpoint's payload filter and channels (docs/api/endpoints.md); in a patch, null (or {} / []) clears one. */
export type EndpointRouting = { filter?: Record<string, unknown> | null; channels?: string[] | null };
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryWithAttempts = z.infer<typeof DeliveryWithAttemptsSchema>;
export type Tenant = z.infer<typeof TenantSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;
export type EventSummary = z.infer<typeof EventSummarySchema>;
export type HooklineEvent = z.infer<typeof EventSchema>;
/** GET /v1/deliveries filters; since/until are ISO 8601 times. */
export type DeliverySearch = {
  endpointId?: string; eventId?: string; eventType?: string; status?: string; kind?: string; channel?: string;
  since?: string; until?: string; limit?: number; cursor?: string;
};
export type Recovery = z.infer<typeof RecoverySchema>;
export type RecoverRequest = z.infer<typeof RecoverWebhook>;
export type EventType = z.infer<typeof EventTypeSchema>;
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

/** Broker destinations: `config` per type (see DestinationConfig in the OpenAPI document). */
export type EndpointType = 'http' | 'rabbitmq' | 'nats' | 'redis';
export interface DestinationConfig {
  serverUrl: string;
  exchange?: string;
  routingKey?: string;
  subject?: string;
  stream?: string;
  maxLen?: number;
}
/** Write-only: rabbitmq { username, password }; nats { token } | { username, password }; redis { password } | { username, password }. */
export type DestinationCredentials = { username?: string; password?: string; token?: string };

/** How Hookline authenticates to an HTTP receiver; write-only (answers show `auth` without its secret). */
export type EndpointAuthInput = EndpointAuth;
/** Mutual TLS: PEM client certificate and key (write-only), and a private CA to trust for the receiver. */
export interface EndpointTlsInput {
  clientCertificate: string;
  clientKey: string;
  caCertificate?: string;
}

export interface CreateWebhookInput {
  /** Required for type http (the default); absent for broker types. */
  url?: string;
  type?: EndpointType;
  config?: DestinationConfig;
  credentials?: DestinationCredentials;
  events?: string[];
  description?: string;
  headers?: Record<string, string>;
  /** An existing whsec_ secret to keep (e.g. moving from Svix). */
  secret?: string;
  signatureScheme?: 'v1' | 'v1a';
  auth?: EndpointAuthInput;
  tls?: EndpointTlsInput;
}
/** A v1 endpoint's answer holds its secret (shown once); a v1a endpoint's holds none (read `publicKey`). */
export type CreatedWebhook<I extends CreateWebhookInput> = Endpoint & (I['signatureScheme'] extends 'v1a' ? { secret?: undefined } : { secret: string });
export interface EventTypeInput {
  description?: string;
  schema?: unknown;
  example?: unknown;
}
export interface TenantSettingsPatch {
  legacySignature?: { header: string; format?: 'sha256=hex' | 'hex' } | 'none' | null;
  retrySchedule?: string | null;
  disableAfterFailures?: number | null;
  publishPerSecond?: number | null;
  fairnessWeight?: number | null;
  circuitFailures?: number | null;
  circuitWindow?: string | null;
  circuitCoolDown?: string | null;
}

export type PortalSession = z.infer<typeof PortalSessionSchema>;
export type PortalSessionCreated = z.infer<typeof PortalSessionCreatedSchema>;
export type AdminEndpoint = z.infer<typeof AdminEndpointSchema>;
export type AdminDelivery = z.infer<typeof AdminDeliverySchema>;
export type EndpointStats = z.infer<typeof EndpointStatsSchema>;
export type TenantStats = z.infer<typeof TenantStatsSchema>;
export type AdminStats = z.infer<typeof AdminStatsSchema>;
/** Statistics ranges: since/until are ISO 8601 times (answered as whole minutes); tenantId only with the admin token. */
export type StatsQuery = { since?: string; until?: string; bucket?: 'minute' | 'hour' | 'day'; tenantId?: string };

export class HooklineApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** A small typed client for producers (admin token) and tenants (their API key). */
export class HooklineClient {
  constructor(private readonly opts: { baseUrl: string; token: string }) {}

  withToken(token: string): HooklineClient {
    return new HooklineClient({ ...this.opts, token });
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(new URL(path, this.opts.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.opts.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const payload = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!res.ok) throw new HooklineApiError(res.status, payload?.error?.code ?? 'unknown', payload?.error?.message ?? res.statusText);
    return payload as T;
  }

  createTenant(input: { id: string; name?: string }) {
    return this.request<{ id: string; name: string; apiKey: string; createdAt: string }>('POST', '/v1/tenants', input);
  }
  listTenants(query: { limit?: number; cursor?: string } = {}) {
    return this.request<{ data: Tenant[]; nextCursor: string | null }>('GET', `/v1/tenants${queryString(query)}`);
  }
  getTenant(id: string) {
    return this.request<Tenant>('GET', `/v1/tenants/${encodeURIComponent(id)}`);
  }
  deleteTenant(id: string) {
    return this.request<void>('DELETE', `/v1/tenants/${encodeURIComponent(id)}`);
  }
  createApiKey(tenantId: string) {
    return this.request<z.infer<typeof ApiKeyCreated>>('POST', `/v1/tenants/${encodeURIComponent(tenantId)}/api-keys`, {});
  }
  listApiKeys(tenantId: string) {
    return this.request<{ data: ApiKey[] }>('GET', `/v1/tenants/${encodeURIComponent(tenantId)}/api-keys`);
  }
  revokeApiKey(tenantId: string, keyId: string) {
    return this.request<void>('DELETE', `/v1/tenants/${encodeURIComponent(tenantId)}/api-keys/${encodeURIComponent(keyId)}`);
  }
  createPortalSession(tenantId: string, input: { ttlSeconds?: number } = {}) {
    return this.request<PortalSessionCreated>('POST', `/v1/tenants/${encodeURIComponent(tenantId)}/portal-sessions`, input);
  }
  listPortalSessions(tenantId: string) {
    return this.request<{ data: PortalSession[] }>('GET', `/v1/tenants/${encodeURIComponent(tenantId)}/portal-sessions`);
  }
  revokePortalSession(tenantId: string, sessionId: string) {
    return this.request<void>('DELETE', `/v1/tenants/${encodeURIComponent(tenantId)}/portal-sessions/${encodeURIComponent(sessionId)}`);
  }
  adminTroubledEndpoints(state?: 'failing' | 'disabled') {
    return this.request<{ data: AdminEndpoint[] }>('GET', `/v1/admin/endpoints${queryString({ state })}`);
  }
  adminFindDeliveries(id: string) {
    return this.request<{ data: AdminDelivery[] }>('GET', `/v1/admin/deliveries${queryString({ id })}`);
  }
  publish(input: { tenantId: string; type: string; data: unknown; id?: string; channels?: string[] }) {
    return this.request<{ id: string }>('POST', '/v1/events', input);
  }
  eventTypes(query: { archived?: boolean } = {}) {
    return this.request<{ data: EventType[] }>('GET', `/v1/event-types${queryString({ archived: query.archived === undefined ? undefined : String(query.archived) })}`);
  }
  getEventType(type: string) {
    return this.request<EventType>('GET', `/v1/event-types/${encodeURIComponent(type)}`);
  }
  createEventType(input: EventTypeInput & { type: string }) {
    return this.request<EventType>('POST', '/v1/event-types', input);
  }
  updateEventType(type: string, patch: EventTypeInput & { archived?: boolean }) {
    return this.request<EventType>('PATCH', `/v1/event-types/${encodeURIComponent(type)}`, patch);
  }
  archiveEventType(type: string) {
    return this.request<EventType>('POST', `/v1/event-types/${encodeURIComponent(type)}/archive`);
  }
  getTenantSettings(tenantId: string) {
    return this.request<TenantSettings>('GET', `/v1/tenants/${encodeURIComponent(tenantId)}/settings`);
  }
  updateTenantSettings(tenantId: string, patch: TenantSettingsPatch) {
    return this.request<TenantSettings>('PATCH', `/v1/tenants/${encodeURIComponent(tenantId)}/settings`, patch);
  }
  createWebhook<I extends CreateWebhookInput & FlowSettings & EndpointRouting>(input: I) {
    return this.request<CreatedWebhook<I>>('POST', '/v1/webhooks', input);
  }
  getPublicKey(id: string) {
    return this.request<{ signatureScheme: 'v1a'; publicKey: string }>('GET', `/v1/webhooks/${encodeURIComponent(id)}/public-key`);
  }
  /** A rotation with choices: an imported secret, or a change of scheme (v1a answers the new public key). */
  rotateKey(id: string, body: { graceSeconds?: number; secret?: string; signatureScheme?: 'v1' | 'v1a' }) {
    return this.request<{ secret?: string; publicKey?: string }>('POST', `/v1/webhooks/${encodeURIComponent(id)}/rotate-secret`, body);
  }
  listWebhooks() {
    return this.request<{ data: Endpoint[] }>('GET', '/v1/webhooks');
  }
  getWebhook(id: string) {
    return this.request<Endpoint>('GET', `/v1/webhooks/${encodeURIComponent(id)}`);
  }
  updateWebhook(id: string, patch: { url?: string; config?: DestinationConfig; credentials?: DestinationCredentials | null; events?: string[]; description?: string; enabled?: boolean; headers?: Record<string, string>; recoverSkipped?: boolean; auth?: EndpointAuthInput | null; tls?: EndpointTlsInput | null } & FlowSettings & EndpointRouting) {
    return this.request<Endpoint & { recoveryId?: string }>('PATCH', `/v1/webhooks/${encodeURIComponent(id)}`, patch);
  }
  deleteWebhook(id: string) {
    return this.request<void>('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`);
  }
  rotateSecret(id: string, graceSeconds?: number) {
    return this.request<{ secret: string }>('POST', `/v1/webhooks/${encodeURIComponent(id)}/rotate-secret`, graceSeconds === undefined ? {} : { graceSeconds });
  }
  testWebhook(id: string) {
    return this.request<{ deliveryId: string }>('POST', `/v1/webhooks/${encodeURIComponent(id)}/test`);
  }
  listDeliveries(endpointId: string, query: { status?: string; limit?: number; cursor?: string } = {}) {
    return this.request<{ data: Delivery[]; nextCursor: string | null }>('GET', `/v1/webhooks/${encodeURIComponent(endpointId)}/deliveries${queryString(query)}`);
  }
  getDelivery(id: string) {
    return this.request<DeliveryWithAttempts>('GET', `/v1/deliveries/${encodeURIComponent(id)}`);
  }
  redeliver(id: string) {
    return this.request<{ deliveryId: string }>('POST', `/v1/deliveries/${encodeURIComponent(id)}/redeliver`);
  }
  /** Search and retention (tenant key; the event reads also take the admin token with `tenantId`). */
  getEvent(id: string, query: { tenantId?: string } = {}) {
    return this.request<HooklineEvent>('GET', `/v1/events/${encodeURIComponent(id)}${queryString(query)}`);
  }
  listEvents(query: { type?: string; channel?: string; since?: string; until?: string; limit?: number; cursor?: string; tenantId?: string } = {}) {
    return this.request<{ data: EventSummary[]; nextCursor: string | null }>('GET', `/v1/events${queryString(query)}`);
  }
  searchDeliveries(query: DeliverySearch = {}) {
    return this.request<{ data: Delivery[]; nextCursor: string | null }>('GET', `/v1/deliveries${queryString(query)}`);
  }
  setTenantRetention(tenantId: string, retentionDays: number | null) {
    return this.request<Tenant & { retentionDays: number | null; effectiveRetentionDays: number }>('PATCH', `/v1/tenants/${encodeURIComponent(tenantId)}`, { retentionDays });
  }
  /** Re-sends the endpoint's failed/skipped deliveries in [since, until], oldest first, one per event. */
  recoverWebhook(id: string, input: RecoverRequest, opts: { idempotencyKey?: string } = {}) {
    const headers: Record<string, string> = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {};
    return this.request<{ recoveryId: string }>('POST', `/v1/webhooks/${encodeURIComponent(id)}/recover`, input, headers);
  }
  getRecovery(id: string) {
    return this.request<Recovery>('GET', `/v1/recoveries/${encodeURIComponent(id)}`);
  }
  /** Statistics (tenant key or portal session; the admin token with `tenantId`). */
  webhookStats(id: string, query: StatsQuery = {}) {
    return this.request<EndpointStats>('GET', `/v1/webhooks/${encodeURIComponent(id)}/stats${queryString(query)}`);
  }
  tenantStats(query: StatsQuery = {}) {
    return this.request<TenantStats>('GET', `/v1/stats${queryString(query)}`);
  }
  adminStats() {
    return this.request<AdminStats>('GET', '/v1/admin/stats');
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  return params.size ? `?${params}` : '';
}
