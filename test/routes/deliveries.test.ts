import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { expectFieldError, useApp } from '../harness/use-app';

const env = useApp();

/** A tenant with one endpoint and one published event: its delivery waits in the outbox (no worker here). */
async function tenantWithDelivery() {
  const tenant = await env.newTenant();
  const endpoint = (await (await env.call('POST', '/v1/webhooks', { token: tenant.apiKey, body: { url: 'http://x.example', events: ['card.viewed'] } })).json()) as { id: string };
  await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId: tenant.id, id: 'e1', type: 'card.viewed', data: {} } });
  const page = (await (await env.call('GET', '/v1/deliveries', { token: tenant.apiKey })).json()) as { data: { id: string }[] };
  return { ...tenant, endpointId: endpoint.id, deliveryId: page.data[0]!.id };
}

describe('happy path', () => {
  test('a published event has a pending delivery, found by every filter that matches it', async () => {
    const t = await tenantWithDelivery();
    for (const query of [`endpointId=${t.endpointId}`, 'eventId=e1', 'eventType=card.viewed', 'status=pending', 'kind=event', 'since=2020-01-01']) {
      const page = (await (await env.call('GET', `/v1/deliveries?${query}`, { token: t.apiKey })).json()) as { data: { id: string }[] };
      expect([query, page.data.map((d) => d.id)]).toEqual([query, [t.deliveryId]]);
    }
    const one = await env.call('GET', `/v1/deliveries/${t.deliveryId}`, { token: t.apiKey });
    expect(await one.json()).toMatchObject({ id: t.deliveryId, status: 'pending', attempts: [] });
  });
});

describe('errors', () => {
  test.each([
    ['status=lost', /^status:/],
    ['kind=other', /^kind:/],
    ['limit=0', /^limit:/],
    ['since=yesterday', /^since:/],
    ['cursor=nope', /^cursor:/],
    ['colour=red', /colour/],
  ])('GET /v1/deliveries?%s is a 400 naming the field', async (query, field) => {
    const { apiKey } = await env.newTenant();
    await expectFieldError(await env.call('GET', `/v1/deliveries?${query}`, { token: apiKey }), 400, field);
  });

  test('an id Hookline could not have made is a 400, an unknown one a 404', async () => {
    const { apiKey } = await env.newTenant();
    await expectFieldError(await env.call('GET', '/v1/deliveries/bad%20id', { token: apiKey }), 400, /^id:/);
    expect((await env.call('GET', '/v1/deliveries/dlv_nope', { token: apiKey })).status).toBe(404);
  });
});

describe('security', () => {
  test("another tenant's delivery is a 404 to read and to redeliver, and absent from its search", async () => {
    const a = await tenantWithDelivery();
    const b = await env.newTenant();
    expect((await env.call('GET', `/v1/deliveries/${a.deliveryId}`, { token: b.apiKey })).status).toBe(404);
    expect((await env.call('POST', `/v1/deliveries/${a.deliveryId}/redeliver`, { token: b.apiKey })).status).toBe(404);
    const page = (await (await env.call('GET', `/v1/deliveries?eventId=e1`, { token: b.apiKey })).json()) as { data: unknown[] };
    expect(page.data).toEqual([]);
  });

  test('the admin token is not a tenant credential here', async () => {
    expect((await env.call('GET', '/v1/deliveries', { token: ADMIN_TOKEN })).status).toBe(401);
  });
});
