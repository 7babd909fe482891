import { verifyWebhook, webhookMessageId } from '../../domain/signing';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

let stack: Stack;
const receivers: Receiver[] = [];

beforeAll(async () => {
  stack = await startStack({
    HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,300ms',
    HOOKLINE_REQUEST_TIMEOUT_MS: '400',
    HOOKLINE_LEGACY_SIGNATURE_HEADER: 'X-Guardian-Signature',
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await stack?.stop();
});

async function setup(events = ['*']) {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url, events });
  return { receiver, tenant, endpoint };
}

async function finalDelivery(api: Stack['admin'], endpointId: string) {
  return waitFor(
    async () => {
      const [d] = (await api.listDeliveries(endpointId)).data;
      return d && d.status !== 'pending' && api.getDelivery(d.id);
    },
    { what: 'the delivery to finish' },
  );
}

test('retries a 503 until it succeeds, logging every attempt', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.script(503, 503, 200);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { cardId: 'c1' } });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('success');
  expect(delivery.attempts.map((a) => a.responseStatus)).toEqual([503, 503, 200]);
  expect(delivery.attempts[0]!.nextRetryAt).not.toBeNull();
  expect(delivery.attempts[0]!.responseBody).toBe('status 503');
  expect(receiver.requests).toHaveLength(3);
  // Every retry carries the same webhook-id, so receivers can dedupe.
  expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
});

test('a 400 is final after exactly one attempt', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.fallback = 400;
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('failed');
  expect(delivery.attempts).toHaveLength(1);
  expect(receiver.requests).toHaveLength(1);
});

test('gives up after the schedule: 4 attempts for 3 delays', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.fallback = 500;
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('failed');
  expect(delivery.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  expect(delivery.attempts[3]!.nextRetryAt).toBeNull();
});

test('a 429 with Retry-After waits as told', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.script({ status: 429, headers: { 'retry-after': '2' } }, 200);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('success');
  const [first, second] = receiver.requests;
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
});

test('a timeout is retried', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.script('hang', 200);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('success');
  expect(delivery.attempts[0]).toMatchObject({ responseStatus: null, error: 'timeout after 400 ms' });
  expect(delivery.attempts[1]).toMatchObject({ responseStatus: 200 });
});

test('a refused connection is retried and logged as a network error', async () => {
  const { receiver, tenant, endpoint } = await setup();
  receiver.script('reset', 200);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await finalDelivery(tenant.api, endpoint.id);
  expect(delivery.status).toBe('success');
  expect(delivery.attempts[0]!.responseStatus).toBeNull();
  expect(delivery.attempts[0]!.error).toMatch(/connection error|request failed/);
});

test('the request is signed per Standard Webhooks, with the legacy header, and carries the SPEC body', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { doc: 1 } });
  const [req] = await receiver.waitForRequests(1);
  expect(req!.headers['content-type']).toBe('application/json');
  expect(req!.headers['user-agent']).toMatch(/^Hookline\//);
  const body = verifyWebhook(endpoint.secret, req!.headers as Record<string, string>, req!.body);
  expect(body).toEqual({ id, type: 'signing.completed', timestamp: expect.any(String), data: { doc: 1 } });
  const { createHmac } = await import('node:crypto');
  const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64');
  expect(req!.headers['x-guardian-signature']).toBe(`sha256=${createHmac('sha256', key).update(req!.body).digest('hex')}`);
});

test('publishing the same event id twice delivers once', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const first = await stack.admin.publish({ tenantId: tenant.id, id: 'order-42', type: 'card.viewed', data: { n: 1 } });
  const second = await stack.admin.publish({ tenantId: tenant.id, id: 'order-42', type: 'card.viewed', data: { n: 2 } });
  expect(second.id).toBe(first.id);
  await finalDelivery(tenant.api, endpoint.id);
  // A second event after it proves the pipeline is flowing, so a duplicate would have arrived by now.
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 3 } });
  await receiver.waitForRequests(2);
  expect(receiver.requests.filter((r) => r.headers['webhook-id'] === webhookMessageId(tenant.id, 'order-42'))).toHaveLength(1);
  expect((await tenant.api.listDeliveries(endpoint.id)).data).toHaveLength(2);
});

test('only endpoints subscribed to the type receive it', async () => {
  const { receiver, tenant } = await setup(['signer.created']);
  const other = await startReceiver();
  receivers.push(other);
  await tenant.api.createWebhook({ url: other.url, events: ['signer.revoked'] });
  await stack.admin.publish({ tenantId: tenant.id, type: 'signer.revoked', data: {} });
  await other.waitForRequests(1);
  await stack.admin.publish({ tenantId: tenant.id, type: 'signer.created', data: {} });
  const [req] = await receiver.waitForRequests(1);
  expect(JSON.parse(req!.body).type).toBe('signer.created');
  expect(other.requests).toHaveLength(1);
});

test('redelivery sends the same event again with the same webhook-id', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const original = await finalDelivery(tenant.api, endpoint.id);
  const { deliveryId } = await tenant.api.redeliver(original.id);
  expect(deliveryId).not.toBe(original.id);
  await receiver.waitForRequests(2);
  const messageId = webhookMessageId(tenant.id, id);
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([messageId, messageId]);
  const again = await waitFor(async () => {
    const d = await tenant.api.getDelivery(deliveryId);
    return d.status === 'success' && d;
  });
  expect(again).toMatchObject({ kind: 'redelivery', eventId: id });
});

test('after a rotation both secrets sign until the grace ends', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const { secret: rotated } = await tenant.api.rotateSecret(endpoint.id, 3600);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [req] = await receiver.waitForRequests(1);
  const headers = req!.headers as Record<string, string>;
  expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
  expect(verifyWebhook(endpoint.secret, headers, req!.body)).toBeTruthy();
  expect(verifyWebhook(rotated, headers, req!.body)).toBeTruthy();

  const { secret: third } = await tenant.api.rotateSecret(endpoint.id, 0);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [, req2] = await receiver.waitForRequests(2);
  const headers2 = req2!.headers as Record<string, string>;
  expect(headers2['webhook-signature']!.split(' ')).toHaveLength(1);
  expect(verifyWebhook(third, headers2, req2!.body)).toBeTruthy();
  expect(() => verifyWebhook(endpoint.secret, headers2, req2!.body)).toThrow();
});

test('rotations leave at most two secrets signing: the newest and the one it replaced (a new rotation ends the older grace)', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const secrets = [endpoint.secret];
  for (let i = 0; i < 6; i++) secrets.push((await tenant.api.rotateSecret(endpoint.id, 3600)).secret);
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [req] = await receiver.waitForRequests(1);
  const headers = req!.headers as Record<string, string>;
  expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
  const [older, newest] = secrets.slice(-2);
  expect(verifyWebhook(newest!, headers, req!.body)).toBeTruthy();
  expect(verifyWebhook(older!, headers, req!.body)).toBeTruthy();
  for (const ended of secrets.slice(0, -2)) expect(() => verifyWebhook(ended, headers, req!.body)).toThrow(/no matching signature/);
  // The legacy header carries one signature: the newest secret's.
  const { createHmac } = await import('node:crypto');
  const key = Buffer.from(newest!.slice('whsec_'.length), 'base64');
  expect(headers['x-guardian-signature']).toBe(`sha256=${createHmac('sha256', key).update(req!.body).digest('hex')}`);
});

test('concurrent rotations still leave no more than two secrets signing', async () => {
  const { receiver, tenant, endpoint } = await setup();
  const rotated = await Promise.all(Array.from({ length: 8 }, () => tenant.api.rotateSecret(endpoint.id, 3600)));
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [req] = await receiver.waitForRequests(1);
  const headers = req!.headers as Record<string, string>;
  expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
  expect(rotated.filter(({ secret }) => { try { return verifyWebhook(secret, headers, req!.body); } catch { return false; } })).toHaveLength(2);
});

test('webhook-id differs between tenants that chose the same event id; the body keeps the producer’s id', async () => {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const tenants = [await stack.newTenant(), await stack.newTenant()];
  for (const t of tenants) await t.api.createWebhook({ url: receiver.url });
  for (const t of tenants) await stack.admin.publish({ tenantId: t.id, id: 'order-1', type: 'card.viewed', data: {} });
  const requests = await receiver.waitForRequests(2);
  expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(2);
  expect(requests.map((r) => JSON.parse(r.body).id)).toEqual(['order-1', 'order-1']);
  for (const r of requests) expect(r.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]+$/);
});
