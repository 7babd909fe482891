import type { z } from '@hono/zod-openapi';
import type { DeliverySchema, DeliveryWithAttemptsSchema, EndpointSchema } from './schemas';
import type { ApiKeyCreated, ApiKeySchema, TenantSchema } from './routes/tenant-schemas';

export type Endpoint = z.infer<typeof EndpointSchema>;
/** An endpoint's flow control (issue 14); null sets a setting back to its default. */
export type FlowSettings = { maxInFlight?: number | null; rateLimit?: number | null; ordering?: 'unordered' | 'fifo' };
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryWithAttempts = z.infer<typeof DeliveryWithAttemptsSchema>;
export type Tenant = z.infer<typeof TenantSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;

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

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.opts.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.opts.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
  publish(input: { tenantId: string; type: string; data: unknown; id?: string }) {
    return this.request<{ id: string }>('POST', '/v1/events', input);
  }
  eventTypes() {
    return this.request<{ data: { type: string; description: string }[] }>('GET', '/v1/event-types');
  }
  createWebhook(input: { url: string; events?: string[]; description?: string } & FlowSettings) {
    return this.request<Endpoint & { secret: string }>('POST', '/v1/webhooks', input);
  }
  listWebhooks() {
    return this.request<{ data: Endpoint[] }>('GET', '/v1/webhooks');
  }
  getWebhook(id: string) {
    return this.request<Endpoint>('GET', `/v1/webhooks/${encodeURIComponent(id)}`);
  }
  updateWebhook(id: string, patch: { url?: string; events?: string[]; description?: string; enabled?: boolean } & FlowSettings) {
    return this.request<Endpoint>('PATCH', `/v1/webhooks/${encodeURIComponent(id)}`, patch);
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
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  return params.size ? `?${params}` : '';
}
