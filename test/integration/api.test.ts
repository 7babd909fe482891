import { HooklineClient } from '../../api/client';
import { withTenant } from '../../db/sql';
import { openApiProblems } from '../harness/openapi';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { expectError } from '../harness/expect-error';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ HOOKLINE_MAX_PAYLOAD_BYTES: '2048' });
});
afterAll(() => stack?.stop());

const raw = (method: string, path: string, opts: { token?: string; body?: string; type?: string } = {}) =>
  fetch(`${stack.api.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': opts.type ?? 'application/json' } : {}),
    },
    body: opts.body,
  });

describe('tenants and auth', () => {
  test('a tenant is created once, with an API key shown once', async () => {
    const t = await stack.admin.createTenant({ id: 'acme.io:prod-1', name: 'Acme' });
    expect(t).toMatchObject({ id: 'acme.io:prod-1', name: 'Acme', apiKey: expect.stringMatching(/^hk_/) });
    await expectError(stack.admin.createTenant({ id: 'acme.io:prod-1' }), 409);
    const [row] = await stack.sql<{ keyHash: string }[]>`select key_hash from api_keys where tenant_id = 'acme.io:prod-1'`;
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.keyHash).not.toContain(t.apiKey);
  });

  test('401 without a token, with a wrong one, and for a tenant key on admin routes', async () => {
    const tenant = await stack.newTenant();
    for (const res of [
      await raw('POST', '/v1/tenants', { body: '{"id":"x"}' }),
      await raw('POST', '/v1/tenants', { token: 'wrong-token-wrong-token', body: '{"id":"x"}' }),
      await raw('POST', '/v1/tenants', { token: tenant.apiKey, body: '{"id":"x"}' }),
      await raw('POST', '/v1/events', { token: tenant.apiKey, body: '{}' }),
      await raw('GET', '/v1/webhooks'),
      await raw('GET', '/v1/webhooks', { token: 'hk_nope' }),
      await raw('GET', '/v1/webhooks', { token: 'test-admin-token-0123456789' }),
    ]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } });
    }
  });
});

describe('validation', () => {
  test.each([
    ['POST', '/v1/tenants', '{"id":"bad id"}', /^id:/],
    ['POST', '/v1/tenants', '{"id":"ok","extra":1}', /extra: unknown field/],
    ['POST', '/v1/tenants', '{"id":', /malformed JSON/],
    ['POST', '/v1/events', '{"tenantId":"t","type":"card.viewed"}', /^data:/],
    ['POST', '/v1/events', '{"tenantId":"t","type":"no such type!","data":{}}', /^type:/],
    ['POST', '/v1/events', '{"tenantId":"t","type":"nope.nope","data":{}}', /^type: unknown event type/],
    ['POST', '/v1/events', '{"tenantId":"t","type":"webhook.test","data":{}}', /^type: webhook.test is sent by Hookline only/],
    ['POST', '/v1/events', `{"tenantId":"t","type":"card.viewed","data":${'['.repeat(100)}${']'.repeat(100)}}`, /^data: nested deeper/],
  ])('%s %s %s → 400 naming the field', async (method, path, body, message) => {
    const res = await raw(method, path, { token: 'test-admin-token-0123456789', body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message).toMatch(message);
  });

  test('webhook validation names the field', async () => {
    const { api } = await stack.newTenant();
    await expectError(api.createWebhook({ url: 'ftp://x.example' }), 400, /url: must use http or https/);
    await expectError(api.createWebhook({ url: 'nope' }), 400, /url:/);
    await expectError(api.createWebhook({ url: 'http://x.example', events: [] }), 400, /events:/);
    await expectError(api.createWebhook({ url: 'http://x.example', events: ['nope.nope'] }), 400, /events: unknown event type/);
    await expectError(api.request('POST', '/v1/webhooks', { url: 'http://x.example', secret: 'mine' }), 400, /secret: must start with whsec_/);
    await expectError(api.request('POST', '/v1/webhooks', { url: 'http://x.example', colour: 'red' }), 400, /colour: unknown field/);
    await expectError(api.request('PATCH', '/v1/webhooks/ep_x', {}), 400);
    await expectError(api.listDeliveries('ep_x', { limit: 0 }), 400, /limit/);
    await expectError(api.listDeliveries('ep_x', { limit: 101 }), 400, /limit/);
  });

  test('an event body over HOOKLINE_MAX_PAYLOAD_BYTES is 413', async () => {
    const tenant = await stack.newTenant();
    const res = await raw('POST', '/v1/events', {
      token: 'test-admin-token-0123456789',
      body: JSON.stringify({ tenantId: tenant.id, type: 'card.viewed', data: { pad: 'x'.repeat(3000) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  test('a non-JSON content type is 415', async () => {
    const res = await raw('POST', '/v1/tenants', { token: 'test-admin-token-0123456789', body: 'id=x', type: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });
});

describe('webhooks', () => {
  test('CRUD: the secret appears only in the create and rotate answers', async () => {
    const { api } = await stack.newTenant();
    const created = await api.createWebhook({ url: 'http://receiver.example/hook', events: ['card.viewed'], description: 'cards' });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ enabled: true, consecutiveFailures: 0, events: ['card.viewed'], description: 'cards' });
    const answers = [
      await api.listWebhooks(),
      await api.getWebhook(created.id),
      await api.updateWebhook(created.id, { description: 'renamed', events: ['*'] }),
    ];
    for (const answer of answers) expect(JSON.stringify(answer)).not.toMatch(/whsec_|secret/);
    expect(answers[2]).toMatchObject({ description: 'renamed', events: ['*'] });
    const { secret } = await api.rotateSecret(created.id);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    const [row] = await stack.sql<{ ciphertext: string }[]>`select ciphertext from endpoint_secrets where endpoint_id = ${created.id} limit 1`;
    expect(row!.ciphertext).not.toContain(created.secret.slice(6));
    await api.deleteWebhook(created.id);
    await expectError(api.getWebhook(created.id), 404);
  });

  test('a tenant may have at most 5 endpoints', async () => {
    const { api } = await stack.newTenant();
    await Promise.all([1, 2, 3, 4, 5].map((i) => api.createWebhook({ url: `http://r${i}.example/` })));
    await expectError(api.createWebhook({ url: 'http://r6.example/' }), 409, /at most 5/);
    expect((await api.listWebhooks()).data).toHaveLength(5);
  });

  test('another tenant’s ids are 404 on every route, and change nothing', async () => {
    const a = await stack.newTenant('a');
    const b = await stack.newTenant('b');
    const endpoint = await a.api.createWebhook({ url: 'http://a.example/' });
    await a.api.testWebhook(endpoint.id);
    const [delivery] = (await a.api.listDeliveries(endpoint.id)).data;
    await expectError(b.api.getWebhook(endpoint.id), 404);
    await expectError(b.api.updateWebhook(endpoint.id, { description: 'mine now' }), 404);
    await expectError(b.api.rotateSecret(endpoint.id), 404);
    await expectError(b.api.testWebhook(endpoint.id), 404);
    await expectError(b.api.listDeliveries(endpoint.id), 404);
    await expectError(b.api.getDelivery(delivery!.id), 404);
    await expectError(b.api.redeliver(delivery!.id), 404);
    await expectError(b.api.deleteWebhook(endpoint.id), 404);
    expect((await b.api.listWebhooks()).data).toEqual([]);
    // Nothing of A's changed: same description, same single secret, no new delivery, still there.
    expect(await a.api.getWebhook(endpoint.id)).toMatchObject({ description: '', enabled: true });
    const secrets = await stack.sql<{ n: number }[]>`select count(*)::int as n from endpoint_secrets where endpoint_id = ${endpoint.id}`;
    expect(secrets[0]!.n).toBe(1);
    expect((await a.api.listDeliveries(endpoint.id)).data.map((d) => d.id)).toEqual([delivery!.id]);
  });

  test('row-level security: a query under tenant B sees none of A’s rows, even without a WHERE', async () => {
    const a = await stack.newTenant('a');
    const b = await stack.newTenant('b');
    const aEndpoint = await a.api.createWebhook({ url: 'http://a.example/' });
    await stack.admin.updateTenantSettings(a.id, { disableAfterFailures: 3, publishPerSecond: 100 });
    await stack.admin.publish({ tenantId: a.id, type: 'card.viewed', data: {} });
    await a.api.recoverWebhook(aEndpoint.id, { since: new Date(Date.now() - 60_000).toISOString() });
    await stack.admin.createPortalSession(a.id);
    // Every table under row-level security, so a new one cannot be left out of this test.
    const tables = (await stack.sql<{ name: string }[]>`select relname as name from pg_class where relrowsecurity order by 1`).map((t) => t.name);
    expect(tables).toEqual(['api_keys', 'attempts', 'deliveries', 'delivery_stats', 'delivery_stats_by_tenant', 'delivery_stats_by_tenant_changes', 'delivery_stats_changes', 'delivery_stats_daily', 'delivery_stats_hourly', 'endpoint_secrets', 'endpoints', 'events', 'outbox', 'portal_sessions', 'recoveries', 'tenant_publish_buckets', 'tenant_rate_limits', 'tenant_settings']);
    const owners = await withTenant(stack.sql, b.id, async (tx) => {
      const seen: Record<string, string[]> = {};
      for (const table of tables) seen[table] = (await tx<{ tenantId: string }[]>`select tenant_id from ${tx(table)}`).map((r) => r.tenantId);
      return seen;
    });
    // B sees its own API key and nothing of A's.
    expect(owners).toEqual({ endpoints: [], endpoint_secrets: [], events: [], deliveries: [], delivery_stats: [], delivery_stats_by_tenant: [], delivery_stats_by_tenant_changes: [], delivery_stats_changes: [], delivery_stats_daily: [], delivery_stats_hourly: [], attempts: [], outbox: [], portal_sessions: [], recoveries: [], tenant_publish_buckets: [], tenant_rate_limits: [], tenant_settings: [], api_keys: [b.id] });
    const asOwner = await stack.sql<{ n: number }[]>`select count(*)::int as n from events where tenant_id = ${a.id}`;
    expect(asOwner[0]!.n).toBe(1); // A's event is there; RLS alone hid it
    await expect(
      withTenant(stack.sql, b.id, (tx) => tx`insert into events (tenant_id, id, type, data) values (${a.id}, 'forged', 'card.viewed', '{}')`),
    ).rejects.toThrow(/row-level security/);
    const changed = await withTenant(stack.sql, b.id, async (tx) => [
      (await tx`update endpoints set url = 'http://evil.example/'`).count,
      (await tx`delete from events`).count,
      (await tx`delete from deliveries`).count,
    ]);
    expect(changed).toEqual([0, 0, 0]);
  });

  test('publishing for an unknown tenant is 404', async () => {
    await expectError(stack.admin.publish({ tenantId: 'nobody-here', type: 'card.viewed', data: {} }), 404);
  });
});

describe('service routes', () => {
  test('healthz, event types, metrics, docs', async () => {
    expect(await (await raw('GET', '/healthz')).json()).toMatchObject({ status: 'ok' });
    const types = await new HooklineClient({ baseUrl: stack.api.url, token: 'x' }).eventTypes();
    expect(types.data.map((t) => t.type)).toEqual(expect.arrayContaining(['signing.completed', 'card.viewed', 'contact.saved', 'webhook.test']));
    const metrics = await (await raw('GET', '/metrics')).text();
    for (const name of ['hookline_events_published_total', 'hookline_attempt_duration_seconds', 'hookline_deliveries_completed_total', 'hookline_endpoints_disabled_total', 'hookline_table_rows_estimate']) {
      expect(metrics).toContain(name);
    }
    expect(await (await raw('GET', '/docs')).text()).toContain('/openapi.json');
    const missing = await raw('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), requestId: expect.any(String) } });
  });

  test('the OpenAPI document is 3.1 and lists every route of the SPEC', async () => {
    const doc = (await (await raw('GET', '/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(openApiProblems(doc)).toEqual([]);
    // The validator does catch a broken document.
    expect(openApiProblems({ ...doc, info: undefined })).not.toEqual([]);
    expect(openApiProblems({ ...doc, paths: { '/x/{id}': { get: { responses: { 200: { $ref: '#/components/responses/Nope' } } } } } })).toHaveLength(2);
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'POST /v1/tenants', 'POST /v1/events', 'GET /v1/event-types', 'POST /v1/webhooks', 'GET /v1/webhooks',
        'GET /v1/webhooks/{id}', 'PATCH /v1/webhooks/{id}', 'DELETE /v1/webhooks/{id}', 'POST /v1/webhooks/{id}/rotate-secret',
        'POST /v1/webhooks/{id}/test', 'GET /v1/webhooks/{id}/deliveries', 'GET /v1/deliveries/{id}', 'POST /v1/deliveries/{id}/redeliver',
        // Tenant lifecycle (admin), beyond the SPEC's table.
        'GET /v1/tenants', 'GET /v1/tenants/{id}', 'DELETE /v1/tenants/{id}', 'POST /v1/tenants/{id}/api-keys', 'GET /v1/tenants/{id}/api-keys',
        'DELETE /v1/tenants/{id}/api-keys/{keyId}',
        // Search and retention (issue 15).
        'GET /v1/events', 'GET /v1/events/{id}', 'GET /v1/deliveries', 'PATCH /v1/tenants/{id}',
        // Bulk recovery (issue 15).
        'POST /v1/webhooks/{id}/recover', 'GET /v1/recoveries/{id}',
        // The generic product: event types as data, tenant settings, v1a public keys.
        'POST /v1/event-types', 'GET /v1/event-types/{type}', 'PATCH /v1/event-types/{type}', 'POST /v1/event-types/{type}/archive',
        'GET /v1/tenants/{id}/settings', 'PATCH /v1/tenants/{id}/settings', 'GET /v1/webhooks/{id}/public-key',
        // Delivery statistics: an endpoint's, a tenant's, the deployment's (admin).
        'GET /v1/webhooks/{id}/stats', 'GET /v1/stats', 'GET /v1/admin/stats',
        // Portal links and the operator console's reads across tenants (admin).
        'POST /v1/tenants/{id}/portal-sessions', 'GET /v1/tenants/{id}/portal-sessions', 'DELETE /v1/tenants/{id}/portal-sessions/{sessionId}',
        'GET /v1/admin/endpoints', 'GET /v1/admin/deliveries',
      ].sort(),
    );
  });
});

describe('when Postgres is down', () => {
  let down: Stack;
  beforeAll(async () => {
    down = await startStack({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/hookline' }, { worker: false });
  });
  afterAll(() => down?.stop());

  test('the API answers 503 with Retry-After, not 500, and keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${down.api.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: 'acme', type: 'card.viewed', data: {} }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/retry/), requestId: expect.any(String) } });
    }
    expect((await fetch(`${down.api.url}/healthz`)).status).toBe(200);
  });
});
