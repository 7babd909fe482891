import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { expectFieldError, useApp } from '../harness/use-app';

const env = useApp({ HOOKLINE_MAX_PAYLOAD_BYTES: '2048' });

describe('happy path', () => {
  test('a publish is accepted with its id, and the same id again is the same event', async () => {
    const { id: tenantId, apiKey } = await env.newTenant();
    const body = { tenantId, id: 'order-1', type: 'card.viewed', data: { cardId: 'c1' } };
    const first = await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ id: 'order-1' });
    expect((await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body })).status).toBe(202);
    const read = await env.call('GET', '/v1/events/order-1', { token: apiKey });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'order-1', type: 'card.viewed', data: { cardId: 'c1' } });
  });
});

describe('errors', () => {
  test.each([
    [{ tenantId: 't', type: 'card.viewed' }, /^data:/],
    [{ tenantId: 't', type: 'no such type!', data: {} }, /^type:/],
    [{ tenantId: 't', type: 'nope.nope', data: {} }, /^type: unknown event type/],
    [{ tenantId: 't', type: 'webhook.test', data: {} }, /^type: webhook.test is sent by Hookline only/],
    [`{"tenantId":"t","type":"card.viewed","data":${'['.repeat(100)}${']'.repeat(100)}}`, /^data: nested deeper/],
  ])('POST /v1/events %j is a 400 naming the field', async (body, field) => {
    await expectFieldError(await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body }), 400, field);
  });

  test('an unknown tenant is a 404', async () => {
    const res = await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId: 'no-such-tenant', type: 'card.viewed', data: {} } });
    expect(res.status).toBe(404);
  });

  test('a body over HOOKLINE_MAX_PAYLOAD_BYTES is a 413, and a form body a 415', async () => {
    const { id: tenantId } = await env.newTenant();
    const big = await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId, type: 'card.viewed', data: { pad: 'x'.repeat(3000) } } });
    expect(big.status).toBe(413);
    const form = await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
  });

  test('an event search with a cursor Hookline did not make is a 400 naming cursor', async () => {
    const { apiKey } = await env.newTenant();
    await expectFieldError(await env.call('GET', '/v1/events?cursor=nope', { token: apiKey }), 400, /^cursor:/);
  });
});

describe('security', () => {
  test('a tenant key cannot publish', async () => {
    const { id: tenantId, apiKey } = await env.newTenant();
    expect((await env.call('POST', '/v1/events', { token: apiKey, body: { tenantId, type: 'card.viewed', data: {} } })).status).toBe(401);
  });

  test("another tenant's event is a 404, as a missing one is", async () => {
    const a = await env.newTenant();
    const b = await env.newTenant();
    await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId: a.id, id: 'secret-1', type: 'card.viewed', data: {} } });
    expect((await env.call('GET', '/v1/events/secret-1', { token: b.apiKey })).status).toBe(404);
  });

  test('the admin names the tenant to read an event; a tenant key that names one is a 400', async () => {
    const { id, apiKey } = await env.newTenant();
    await expectFieldError(await env.call('GET', `/v1/events?tenantId=${id}`, { token: apiKey }), 400, /tenantId/);
  });
});
