import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { startPrivateRedis } from '../../tools/testkit/private-brokers';
import { waitFor } from '../../tools/testkit/wait';
import { publishSpread, settledDeliveries, verifyAll, type Received } from '../harness/broker-delivery';

/** Redis Streams endpoints on the real Redis: entries a consumer verifies, failures logged, and a restart losing nothing. */
const REDIS = 'redis://127.0.0.1:6379/0';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '500ms,1s,1s,2s,2s,3s,3s,5s,5s,5s', HOOKLINE_REQUEST_TIMEOUT_MS: '2000' });
});
afterAll(() => stack?.stop());

async function readStream(url: string, stream: string): Promise<Received[]> {
  const client = new Redis(url);
  try {
    const entries = (await client.xrange(stream, '-', '+')) as [string, string[]][];
    return entries.map(([, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      const { body, ...headers } = fields;
      return { body: body!, headers };
    });
  } finally {
    client.disconnect();
  }
}

test('events and a test send arrive as stream entries a Standard Webhooks consumer verifies; attempts log the XADD reply', async () => {
  const tenant = await stack.newTenant();
  const stream = `hooks-${randomUUID()}`;
  const admin = new Redis(REDIS);
  await admin.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: REDIS, stream, maxLen: 1000 } });
    const ids = await publishSpread(stack, tenant, 5, 20);
    await tenant.api.testWebhook(endpoint.id);
    const got = await waitFor(async () => { const r = await readStream(REDIS, stream); return r.length >= 6 && r; }, { what: 'six entries' });
    const bodies = verifyAll(endpoint.secret, got);
    expect(bodies.filter((b) => b.type === 'card.viewed').map((b) => b.id).sort()).toEqual([...ids].sort());
    expect(bodies.some((b) => b.type === 'webhook.test')).toBe(true);
    const deliveries = await settledDeliveries(tenant, endpoint.id, 6);
    for (const d of deliveries) {
      expect(d.status).toBe('success');
      expect(d.attempts[0]).toMatchObject({ responseStatus: 202, outcome: 'appended', responseBody: expect.stringMatching(/^appended as entry \d+-\d+$/) });
    }
  } finally {
    await admin.del(stream);
    admin.disconnect();
  }
});

test('a stream that does not exist fails the delivery at once, with the broker outcome, and counts towards auto-disable', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: REDIS, stream: `absent-${randomUUID()}` } });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [delivery] = await settledDeliveries(tenant, endpoint.id, 1);
  expect(delivery).toMatchObject({ status: 'failed', attempts: [{ responseStatus: 400, outcome: 'no_stream' }] });
  expect(delivery!.attempts[0]!.error).toContain('does not exist');
  await waitFor(async () => (await tenant.api.getWebhook(endpoint.id)).consecutiveFailures === 1, { what: 'the failure to count' });
});

test('Redis restarted mid-stream: every event arrives, none lost, each webhook-id at least once', async () => {
  const redis = await startPrivateRedis();
  const tenant = await stack.newTenant();
  const stream = 'hooks';
  const admin = new Redis(redis.url);
  await admin.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
  admin.disconnect();
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: redis.url, stream } });
    const ids = await publishSpread(stack, tenant, 20, 50, async () => {
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await redis.start();
    });
    const deliveries = await settledDeliveries(tenant, endpoint.id, 20, 90_000);
    expect(deliveries.filter((d) => d.status !== 'success')).toEqual([]);
    const got = verifyAll(endpoint.secret, await readStream(redis.url, stream));
    const lost = ids.filter((id) => !got.some((b) => b.id === id));
    expect(lost).toEqual([]);
  } finally {
    await redis.destroy();
  }
});
