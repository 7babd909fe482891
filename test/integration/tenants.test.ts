import type { HooklineApiError } from '../../api/client';
import { workflowIds } from '../../temporal/workflows/types';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

interface TenantView {
  id: string;
  name: string;
  createdAt: string;
}
interface KeyView {
  id: string;
  prefix: string;
  last4: string | null;
  createdAt: string;
}

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const admin = () => stack.admin;
const path = (id: string, rest = '') => `/v1/tenants/${encodeURIComponent(id)}${rest}`;
const status = (promise: Promise<unknown>) => promise.then(() => 200, (e: unknown) => (e as HooklineApiError).status);

describe('tenants', () => {
  test('are listed a page at a time, in id order, and read one by one', async () => {
    const mine = [await stack.newTenant('list'), await stack.newTenant('list'), await stack.newTenant('list')].map((t) => t.id).sort();
    const seen: TenantView[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: TenantView[]; nextCursor: string | null } = await admin().request('GET', `/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    const ids = seen.map((t) => t.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => mine.includes(id))).toEqual(mine);

    expect(await admin().request('GET', path(mine[0]!))).toEqual({ id: mine[0], name: `Tenant ${mine[0]}`, createdAt: expect.any(String) });
    expect(await status(admin().request('GET', path('no-such-tenant')))).toBe(404);
    expect(await status(admin().request('GET', '/v1/tenants?limit=0'))).toBe(400);
    expect(await status(admin().request('GET', '/v1/tenants?cursor=bogus'))).toBe(400);
  });

  test('are admin-only: a tenant key gets 401 on every tenant route', async () => {
    const tenant = await stack.newTenant();
    for (const [method, p] of [['GET', '/v1/tenants'], ['GET', path(tenant.id)], ['DELETE', path(tenant.id)], ['GET', path(tenant.id, '/api-keys')], ['POST', path(tenant.id, '/api-keys')]]) {
      expect(await status(tenant.api.request(method!, p!))).toBe(401);
    }
  });
});

describe('API keys', () => {
  test('a tenant holds several live keys: a new one works at once, is shown once, and the list shows only its last four characters', async () => {
    const tenant = await stack.newTenant();
    const created: KeyView & { apiKey: string } = await admin().request('POST', path(tenant.id, '/api-keys'));
    expect(created).toEqual({ id: expect.stringMatching(/^key_/), apiKey: expect.stringMatching(/^hk_/), prefix: 'hk_', last4: created.apiKey.slice(-4), createdAt: expect.any(String) });
    const second = admin().withToken(created.apiKey);
    expect((await second.listWebhooks()).data).toEqual([]);
    expect((await tenant.api.listWebhooks()).data).toEqual([]); // the first still works

    const listed: { data: KeyView[] } = await admin().request('GET', path(tenant.id, '/api-keys'));
    expect(listed.data).toHaveLength(2);
    expect(listed.data[1]).toEqual({ id: created.id, prefix: 'hk_', last4: created.last4, createdAt: created.createdAt });
    expect(listed.data[0]!.last4).toBe(tenant.apiKey.slice(-4));
    expect(JSON.stringify(listed)).not.toContain(created.apiKey);
    expect(JSON.stringify(listed)).not.toContain(tenant.apiKey);
    expect(await status(admin().request('POST', path('no-such-tenant', '/api-keys')))).toBe(404);
  });

  test('a revoked key gets 401 at once; the others keep working (rotation without downtime)', async () => {
    const tenant = await stack.newTenant();
    const next: { id: string; apiKey: string } = await admin().request('POST', path(tenant.id, '/api-keys'));
    const [old] = (await admin().request<{ data: KeyView[] }>('GET', path(tenant.id, '/api-keys'))).data;
    await admin().request('DELETE', path(tenant.id, `/api-keys/${old!.id}`));
    expect(await status(tenant.api.listWebhooks())).toBe(401);
    expect((await admin().withToken(next.apiKey).listWebhooks()).data).toEqual([]);
    expect((await admin().request<{ data: KeyView[] }>('GET', path(tenant.id, '/api-keys'))).data.map((k) => k.id)).toEqual([next.id]);
    expect(await status(admin().request('DELETE', path(tenant.id, `/api-keys/${old!.id}`)))).toBe(404);
    // Another tenant's key id is not found under this tenant.
    const other = await stack.newTenant();
    expect(await status(admin().request('DELETE', path(other.id, `/api-keys/${next.id}`)))).toBe(404);
    expect((await admin().withToken(next.apiKey).listWebhooks()).data).toEqual([]);
  });
});

describe('deleting a tenant', () => {
  test('removes all its data, revokes its keys and ends its endpoints’ workflows', async () => {
    const tenant = await stack.newTenant('gone');
    const endpoint = await tenant.api.createWebhook({ url: receiver.url });
    // A long Retry-After keeps the delivery running when the tenant is deleted.
    receiver.fallback = { status: 503, headers: { 'retry-after': '600' } };
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    await receiver.waitForRequests(1);
    const [pending] = (await tenant.api.listDeliveries(endpoint.id)).data;
    expect(pending!.status).toBe('pending');
    const survivor = await stack.newTenant('kept');
    await survivor.api.createWebhook({ url: receiver.url });

    await admin().request('DELETE', path(tenant.id));
    expect(await status(admin().request('GET', path(tenant.id)))).toBe(404);
    expect(await status(tenant.api.listWebhooks())).toBe(401);
    expect(await status(admin().request('DELETE', path(tenant.id)))).toBe(404);
    expect(await status(stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} }))).toBe(404);

    const delivery = await waitFor(async () => {
      const d = await stack.client.workflow.getHandle(workflowIds.delivery(pending!.id)).describe();
      return d.status.name !== 'RUNNING' && d;
    }, { what: 'the delivery workflow to end' });
    expect(delivery.status.name).toBe('CANCELLED');
    const ep = await waitFor(async () => {
      const d = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).describe();
      return d.status.name !== 'RUNNING' && d;
    }, { what: 'the endpoint workflow to end' });
    expect(['COMPLETED', 'CANCELLED']).toContain(ep.status.name);

    // Nothing of it is left in any table (the outbox once its stop rows are carried out); the other tenant is untouched.
    const left = await waitFor(async () => {
      const counts: Record<string, number> = {};
      for (const table of ['api_keys', 'endpoints', 'endpoint_secrets', 'events', 'deliveries', 'attempts', 'outbox']) {
        counts[table] = (await stack.sql<{ n: number }[]>`select count(*)::int as n from ${stack.sql(table)} where tenant_id = ${tenant.id}`)[0]!.n;
      }
      return counts.outbox === 0 && counts;
    }, { what: 'the outbox to drain' });
    expect(left).toEqual({ api_keys: 0, endpoints: 0, endpoint_secrets: 0, events: 0, deliveries: 0, attempts: 0, outbox: 0 });
    expect((await survivor.api.listWebhooks()).data).toHaveLength(1);
  });
});

test('the tenant routes are in the OpenAPI document', async () => {
  const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
  expect(ops).toEqual(
    expect.arrayContaining([
      'GET /v1/tenants', 'GET /v1/tenants/{id}', 'DELETE /v1/tenants/{id}', 'POST /v1/tenants/{id}/api-keys',
      'GET /v1/tenants/{id}/api-keys', 'DELETE /v1/tenants/{id}/api-keys/{keyId}',
    ]),
  );
});

test('the typed client covers the tenant lifecycle: get, list, keys (create, list, revoke) and delete', async () => {
  const tenant = await stack.newTenant('client');
  expect(await stack.admin.getTenant(tenant.id)).toMatchObject({ id: tenant.id });
  const second = await stack.admin.createApiKey(tenant.id);
  expect(second.apiKey).toMatch(/^hk_/);
  const keys = (await stack.admin.listApiKeys(tenant.id)).data;
  expect(keys.map((k) => k.id)).toContain(second.id);
  expect(JSON.stringify(keys)).not.toContain(second.apiKey);
  await stack.admin.revokeApiKey(tenant.id, second.id);
  await expect(stack.admin.withToken(second.apiKey).listWebhooks()).rejects.toMatchObject({ status: 401 });
  await tenant.api.listWebhooks(); // the first key still works
  await stack.admin.deleteTenant(tenant.id);
  await expect(stack.admin.getTenant(tenant.id)).rejects.toMatchObject({ status: 404 });
  const page = await stack.admin.listTenants({ limit: 1 });
  expect(page.data).toHaveLength(1);
  expect(page.nextCursor).toEqual(expect.any(String));
});
