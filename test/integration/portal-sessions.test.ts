import { HooklineClient, type HooklineApiError } from '../../api/client';
import { startStack, type Stack } from '../../tools/testkit/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ HOOKLINE_PORTAL_FRAME_ANCESTORS: 'https://app.example.com', HOOKLINE_TEMPORAL_UI_URL: 'http://temporal-ui.example:8233' }, { worker: false });
});
afterAll(async () => stack?.stop());

const refusal = (promise: Promise<unknown>) =>
  promise.then(() => 'accepted', (e: unknown) => `${(e as HooklineApiError).status} ${(e as HooklineApiError).message.replace(/^\d+ \w+: /, '')}`);
const tokenOf = (url: string) => new URL(url).hash.replace('#session=', '');
const asPortal = (url: string) => new HooklineClient({ baseUrl: stack.api.url, token: tokenOf(url) });

describe('portal sessions', () => {
  test('a portal link is a URL on this API with the token in its fragment, and acts as that tenant only', async () => {
    const a = await stack.newTenant('portal-a');
    const b = await stack.newTenant('portal-b');
    const other = await b.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
    const session = await stack.admin.createPortalSession(a.id);
    expect(session.url).toMatch(new RegExp(`^${stack.api.url}/portal#session=pst_[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(3_500_000); // the default hour
    const portal = asPortal(session.url);
    const mine = await portal.createWebhook({ url: 'http://127.0.0.1:9/mine' });
    expect((await a.api.listWebhooks()).data.map((e) => e.id)).toEqual([mine.id]);
    expect(await refusal(portal.getWebhook(other.id))).toBe('404 webhook not found');
    // The tenant-or-admin reads (the event log) take it as the tenant's too.
    await stack.admin.publish({ tenantId: a.id, id: 'evt-portal', type: 'card.viewed', data: {} });
    expect((await portal.listEvents()).data.map((e) => e.id)).toEqual(['evt-portal']);
    expect((await portal.getEvent('evt-portal')).id).toBe('evt-portal');
    // A portal session is a tenant's credential, not an admin's.
    expect(await refusal(portal.listTenants())).toBe('401 invalid admin token');
    expect(await refusal(portal.createPortalSession(a.id))).toBe('401 invalid admin token');
  });

  test('an expired or revoked link is refused, and says which', async () => {
    const t = await stack.newTenant('portal-end');
    const revoked = await stack.admin.createPortalSession(t.id, { ttlSeconds: 60 });
    const expired = await stack.admin.createPortalSession(t.id, { ttlSeconds: 60 });
    expect(Date.parse(revoked.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(await refusal(asPortal(revoked.url).listWebhooks())).toBe('accepted');
    expect((await stack.admin.listPortalSessions(t.id)).data.map((s) => s.id).sort()).toEqual([revoked.id, expired.id].sort());
    await stack.admin.revokePortalSession(t.id, revoked.id);
    expect(await refusal(asPortal(revoked.url).listWebhooks())).toBe('401 portal link revoked');
    await stack.sql`update portal_sessions set expires_at = now() - interval '1 second' where id = ${expired.id}`;
    expect(await refusal(asPortal(expired.url).listWebhooks())).toBe('401 portal link expired');
    expect(await refusal(asPortal(`${stack.api.url}/portal#session=pst_${'x'.repeat(43)}`).listWebhooks())).toBe('401 invalid portal link');
    expect((await stack.admin.listPortalSessions(t.id)).data).toEqual([]);
    expect(await refusal(stack.admin.revokePortalSession(t.id, 'ps_nope'))).toBe('404 portal session not found');
  });

  test('bad lifetimes and unknown tenants are 4xx naming the field', async () => {
    const t = await stack.newTenant('portal-bad');
    expect(await refusal(stack.admin.createPortalSession(t.id, { ttlSeconds: 10 }))).toMatch(/^400 ttlSeconds: /);
    expect(await refusal(stack.admin.createPortalSession(t.id, { ttlSeconds: 90_000 }))).toMatch(/^400 ttlSeconds: /);
    expect(await refusal(stack.admin.request('POST', `/v1/tenants/${t.id}/portal-sessions`, { extra: 1 }))).toBe('400 extra: unknown field');
    expect(await refusal(stack.admin.createPortalSession('no-such-tenant'))).toBe('404 tenant not found');
  });

  test('only a hash of the token is stored, under a key the database does not hold', async () => {
    const t = await stack.newTenant('portal-hash');
    const session = await stack.admin.createPortalSession(t.id);
    const [row] = await stack.sql<{ tokenHash: string }[]>`select token_hash from portal_sessions where id = ${session.id}`;
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const { createHash } = await import('node:crypto');
    expect(row!.tokenHash).not.toBe(createHash('sha256').update(tokenOf(session.url)).digest('hex'));
  });

  test('the portal page may be framed by the configured origins only; the console by none; nothing loads from elsewhere', async () => {
    const portal = await fetch(`${stack.api.url}/portal`);
    const csp = portal.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors https://app.example.com');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(portal.headers.get('x-frame-options')).toBeNull();
    expect(await portal.text()).not.toMatch(/<script>|https?:\/\//);
    const consolePage = await fetch(`${stack.api.url}/console`);
    expect(consolePage.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(consolePage.headers.get('x-frame-options')).toBe('DENY');
    const script = await fetch(`${stack.api.url}/portal/assets/portal.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Receiver-controlled text is set as text: the bundle never parses HTML.
    expect(await script.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await fetch(`${stack.api.url}/portal/assets/console.js`)).status).toBe(404);
    // Names an object has by inheritance are not assets either.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect((await fetch(`${stack.api.url}/portal/assets/${name}`)).status).toBe(404);
    // The JSON API keeps its own policy.
    expect((await fetch(`${stack.api.url}/openapi.json`)).headers.get('x-frame-options')).toBe('DENY');
  });

  test('the console finds troubled endpoints and deliveries across tenants, linked to the Temporal Web UI', async () => {
    const t = await stack.newTenant('console');
    const ep = await t.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
    await t.api.updateWebhook(ep.id, { enabled: false });
    const disabled = await stack.admin.adminTroubledEndpoints('disabled');
    expect(disabled.data.find((e) => e.id === ep.id)).toMatchObject({ tenantId: t.id, enabled: false, disabledReason: 'manual' });
    await t.api.updateWebhook(ep.id, { enabled: true });
    const { deliveryId } = await t.api.testWebhook(ep.id);
    const found = await stack.admin.adminFindDeliveries(deliveryId);
    expect(found.data).toHaveLength(1);
    expect(found.data[0]).toMatchObject({
      id: deliveryId, tenantId: t.id, endpointId: ep.id, workflowId: `delivery-${deliveryId}`,
      workflowUrl: `http://temporal-ui.example:8233/namespaces/default/workflows/delivery-${deliveryId}`,
    });
    expect((await stack.admin.adminFindDeliveries(ep.id)).data.map((d) => d.id)).toEqual([deliveryId]);
    expect(await refusal(t.api.adminFindDeliveries(deliveryId))).toBe('401 invalid admin token');
    expect(await refusal(stack.admin.adminFindDeliveries('bad id!'))).toMatch(/^400 id: /);
  });
});
