import { HooklineApiError } from '../../api/client';
import { createWebhookFetch, TargetRefusedError } from '../../infra/webhook-fetch';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

/** The endpoint's one delivery, with its attempts, once final. */
const finalDelivery = (tenant: { api: Stack['admin'] }, endpointId: string) =>
  waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpointId)).data;
    return d && d.status !== 'pending' && (await tenant.api.getDelivery(d.id));
  }, { what: 'a final delivery' });

describe('send-time guard', () => {
  test('refuses loopback, private, link-local and metadata targets by literal and by name, before any byte leaves', async () => {
    const guarded = createWebhookFetch({ refusePrivateTargets: true });
    const port = new URL(receiver.url).port;
    for (const url of [
      `http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`, `http://[::1]:${port}/hook`,
      'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://192.168.1.1/', 'http://[fd00::1]/',
    ]) {
      const err = await guarded(url, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
      const refused = err instanceof TargetRefusedError || (err instanceof Error && err.cause instanceof TargetRefusedError);
      expect(refused).toBe(true);
    }
    expect(receiver.requests).toHaveLength(0);
  });

  test('the unguarded fetch (development) reaches the same receiver', async () => {
    const open = createWebhookFetch({ refusePrivateTargets: false });
    const res = await open(receiver.url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ NODE_ENV: 'production' }, { worker: false });
  });
  afterAll(() => stack?.stop());

  test('endpoints at private, loopback and metadata addresses, or over http, are refused at create', async () => {
    const { api } = await stack.newTenant();
    for (const url of [
      'https://127.0.0.1/hook', 'https://10.1.2.3/', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/',
      'https://localhost/hook', 'http://example.com/hook',
    ]) {
      const err = await api.createWebhook({ url }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HooklineApiError);
      expect((err as HooklineApiError).status).toBe(400);
      expect((err as HooklineApiError).message).toMatch(/url: /);
    }
    expect((await api.listWebhooks()).data).toEqual([]);
  });
});

describe('whole delivery path', () => {
  let dev: Stack;
  let prod: Stack;
  beforeAll(async () => {
    // Same database, task queue and key: the endpoint is made where loopback is allowed, and then
    // sent by a production worker, as if its hostname had changed to resolve to loopback after create.
    dev = await startStack({}, { worker: false });
    prod = await startStack({ NODE_ENV: 'production', TEMPORAL_TASK_QUEUE: dev.config.temporal.taskQueue });
  });
  afterAll(async () => {
    await prod?.stop();
    await dev?.stop();
  });

  test('a production worker refuses a target that resolves to loopback at send time: no request leaves', async () => {
    const tenant = await dev.newTenant();
    const port = new URL(receiver.url).port;
    const endpoint = await tenant.api.createWebhook({ url: `http://localhost:${port}/rebound` });
    const before = receiver.requests.length;
    await prod.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const delivery = await finalDelivery(tenant, endpoint.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ responseStatus: null, error: expect.stringMatching(/refused/) });
    expect(receiver.requests.slice(before).filter((r) => r.url === '/rebound')).toEqual([]);
  });
});

describe('redirects', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  test('a redirect is never followed, so it cannot lead a request to a private address', async () => {
    const inside = await startReceiver();
    try {
      const tenant = await stack.newTenant();
      receiver.script({ status: 307, headers: { location: `${inside.url}?metadata` } });
      const endpoint = await tenant.api.createWebhook({ url: receiver.url });
      await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
      const delivery = await finalDelivery(tenant, endpoint.id);
      expect(delivery.status).toBe('failed');
      expect(delivery.attempts).toHaveLength(1);
      expect(delivery.attempts[0]).toMatchObject({ responseStatus: 307, error: expect.stringMatching(/redirect to .* not followed/) });
      expect(inside.requests).toHaveLength(0);
    } finally {
      await inside.close();
    }
  });
});
