import { createWebhookFetch, TargetRefusedError } from '../../infra/webhook-fetch';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

describe('the send-time scheme check', () => {
  test('with https required (production), an http URL is refused before any byte leaves', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, requireHttps: true });
    const err = await send(receiver.url, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TargetRefusedError);
    expect((err as Error).message).toMatch(/https/);
    expect(receiver.requests).toHaveLength(0);
  });

  test('without it (development), the same URL is sent', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, requireHttps: false });
    expect((await send(receiver.url, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(receiver.requests).toHaveLength(1);
  });
});
