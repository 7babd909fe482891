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

describe('the send-time metadata check', () => {
  test.each([
    ['private targets refused', { refusePrivateTargets: true }],
    ['private targets allowed, production', { refusePrivateTargets: false, refuseMetadataTargets: true }],
  ])('%s: a metadata address or host name is refused before any byte leaves', async (_what, opts) => {
    const send = createWebhookFetch(opts);
    for (const url of ['https://168.63.129.16/machine', 'https://[fd00:ec2::254]/latest', 'https://metadata.google.internal/computeMetadata/v1/']) {
      const err = await send(url, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TargetRefusedError);
      expect((err as Error).message).toMatch(/cloud metadata service/);
    }
  });

  test('with private targets allowed, a private receiver is still reached', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, refuseMetadataTargets: true });
    expect((await send(receiver.url, { method: 'POST', body: '{}' })).status).toBe(200);
  });
});
