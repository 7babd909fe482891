import { HooklineApiError } from '../../api/client';
import { createWebhookFetch, TargetRefusedError } from '../../lib/webhook-fetch';
import { startReceiver, type Receiver } from '../harness/receiver';
import { startStack, type Stack } from '../harness/stack';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

describe('send-time guard', () => {
  test('refuses loopback by literal and by name, before any byte leaves', async () => {
    const guarded = createWebhookFetch({ refusePrivateTargets: true });
    const port = new URL(receiver.url).port;
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
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
