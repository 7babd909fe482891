import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import Redis from 'ioredis';
import type { HooklineClient } from '../../api/client';
import { startPrivateRedis } from '../../tools/testkit/private-brokers';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { startTcpProxy } from '../../tools/testkit/tcp-proxy';
import { waitFor } from '../../tools/testkit/wait';
import { publishSpread, settledDeliveries, verifyAll, type Received } from '../harness/broker-delivery';

/**
 * Flow control, FIFO, recovery and test sends on broker endpoints, on the real brokers: the
 * endpoint settings an HTTP endpoint has hold for a broker type too. Redis Streams for the flow
 * settings (an entry id is the broker's own clock of when it took the entry), RabbitMQ for a
 * final failure that a fix on the broker and a recovery put right.
 */
const REDIS = 'redis://127.0.0.1:6379/0';
const AMQP = 'amqp://127.0.0.1:5672/';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '500ms,1s,1s,2s,2s,3s,3s,5s,5s,5s', HOOKLINE_REQUEST_TIMEOUT_MS: '2000', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });
});
afterAll(() => stack?.stop());

interface Entry extends Received {
  /** When Redis appended it: the milliseconds part of the entry id. */
  at: number;
}

async function readStream(url: string, stream: string): Promise<Entry[]> {
  const client = new Redis(url);
  try {
    const entries = (await client.xrange(stream, '-', '+')) as [string, string[]][];
    return entries.map(([id, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      const { body, ...headers } = fields;
      return { body: body!, headers, at: Number(id.split('-')[0]) };
    });
  } finally {
    client.disconnect();
  }
}

async function createStream(url: string, stream: string): Promise<void> {
  const client = new Redis(url);
  await client.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
  client.disconnect();
}

async function dropStream(url: string, stream: string): Promise<void> {
  const client = new Redis(url);
  await client.del(stream);
  client.disconnect();
}

const publishAtOnce = (tenantId: string, count: number) =>
  Promise.all(Array.from({ length: count }, (_, n) => stack.admin.publish({ tenantId, type: 'card.viewed', data: { n } })));

test('a FIFO Redis endpoint appends in publish order while the broker restarts: the retrying head holds the rest', async () => {
  const redis = await startPrivateRedis();
  const tenant = await stack.newTenant();
  const stream = `fifo-${randomUUID()}`;
  try {
    await createStream(redis.url, stream);
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: redis.url, stream }, ordering: 'fifo' });
    const published = await publishSpread(stack, tenant, 20, 100, async () => {
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await redis.start();
    });
    const deliveries = await settledDeliveries(tenant, endpoint.id, 20, 120_000);
    expect(deliveries.filter((d) => d.status !== 'success')).toEqual([]);
    expect(deliveries.some((d) => d.attempts.length > 1)).toBe(true); // the restart was met
    const ids = verifyAll(endpoint.secret, await readStream(redis.url, stream)).map((b) => b.id);
    // At least once: a repeat may follow its first copy, but no event is taken before an earlier one.
    expect(ids.filter((id, i) => ids.indexOf(id) === i)).toEqual(published);
  } finally {
    await redis.destroy();
  }
}, 180_000);

test('a rate limit of 4/s spaces the entries as Redis took them', async () => {
  const tenant = await stack.newTenant();
  const stream = `rate-${randomUUID()}`;
  await createStream(REDIS, stream);
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: REDIS, stream }, rateLimit: 4 });
    await publishAtOnce(tenant.id, 12);
    await settledDeliveries(tenant, endpoint.id, 12, 60_000);
    const at = (await readStream(REDIS, stream)).map((e) => e.at).sort((a, b) => a - b);
    expect(at).toHaveLength(12);
    // 12 sends at 4/s take 2.75 s from the first to the last (unlimited: a few hundred ms); slack
    // for a slow first connection and for jitter between the send and Redis's clock.
    expect(at[11]! - at[0]!).toBeGreaterThan(2_000);
    const mostInOneSecond = Math.max(...at.map((t) => at.filter((x) => x >= t && x < t + 1_000).length));
    expect(mostInOneSecond).toBeLessThanOrEqual(6);
  } finally {
    await dropStream(REDIS, stream);
  }
}, 90_000);

test('maxInFlight 2 keeps at most two publishes open at once on a slow link to Redis', async () => {
  const tenant = await stack.newTenant();
  const stream = `inflight-${randomUUID()}`;
  await createStream(REDIS, stream);
  // Each command reaches Redis 300 ms after it was sent: a publish stays open long enough to overlap.
  const slow = await startTcpProxy({ host: '127.0.0.1', port: 6379 }, { delayMs: 300 });
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: `redis://127.0.0.1:${slow.port}/0`, stream }, maxInFlight: 2 });
    await publishAtOnce(tenant.id, 10);
    const deliveries = await settledDeliveries(tenant, endpoint.id, 10, 60_000);
    expect(deliveries.filter((d) => d.status !== 'success')).toEqual([]);
    // The attempt log's own intervals: how many publishes were open when each one began.
    const spans = deliveries.flatMap((d) => d.attempts).map((a) => ({ from: Date.parse(a.startedAt), to: Date.parse(a.startedAt) + a.durationMs }));
    const open = spans.map((s) => spans.filter((o) => o.from <= s.from && s.from < o.to).length);
    expect(Math.max(...open)).toBe(2);
    expect(await readStream(REDIS, stream)).toHaveLength(10);
  } finally {
    await slow.close();
    await dropStream(REDIS, stream);
  }
}, 90_000);

test('a test send reaches a disabled Redis endpoint, logged as a delivery', async () => {
  const tenant = await stack.newTenant();
  const stream = `test-send-${randomUUID()}`;
  await createStream(REDIS, stream);
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: REDIS, stream } });
    await tenant.api.updateWebhook(endpoint.id, { enabled: false });
    const { deliveryId } = await tenant.api.testWebhook(endpoint.id);
    const delivery = await waitFor(async () => { const d = await tenant.api.getDelivery(deliveryId); return d.status !== 'pending' && d; }, { what: 'the test delivery' });
    expect(delivery).toMatchObject({ status: 'success', attempts: [{ responseStatus: 202, outcome: 'appended' }] });
    const [body] = verifyAll(endpoint.secret, await readStream(REDIS, stream));
    expect(body).toMatchObject({ type: 'webhook.test' });
  } finally {
    await dropStream(REDIS, stream);
  }
});

const recoveryDone = (api: HooklineClient, id: string) =>
  waitFor(async () => {
    const r = await api.getRecovery(id);
    return r.status !== 'running' && r.pending === 0 && r;
  }, { what: `recovery ${id} to finish`, timeoutMs: 60_000 });

test('deliveries to a missing RabbitMQ exchange fail at once; once the exchange is declared, a recovery re-sends them and they arrive', async () => {
  const tenant = await stack.newTenant();
  const exchange = `hooks-missing-${randomUUID()}`;
  const conn = await amqp.connect(AMQP);
  const ch = await conn.createChannel();
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: AMQP, exchange } });
    const since = new Date(Date.now() - 1_000).toISOString();
    const published = (await publishAtOnce(tenant.id, 3)).map((e) => e.id);
    const failed = await settledDeliveries(tenant, endpoint.id, 3);
    for (const d of failed) expect(d).toMatchObject({ status: 'failed', attempts: [{ responseStatus: 400, outcome: 'not_found' }] });

    await ch.assertExchange(exchange, 'topic', { durable: false });
    await ch.assertQueue(exchange, { durable: false });
    await ch.bindQueue(exchange, exchange, '#');
    const { recoveryId } = await tenant.api.recoverWebhook(endpoint.id, { since, statuses: ['failed'] });
    expect(await recoveryDone(tenant.api, recoveryId)).toMatchObject({ status: 'completed', queued: 3, succeeded: 3, failed: 0 });

    const got: Received[] = [];
    for (let m = await ch.get(exchange, { noAck: true }); m; m = await ch.get(exchange, { noAck: true })) {
      got.push({ body: m.content.toString(), headers: Object.fromEntries(Object.entries(m.properties.headers ?? {}).map(([k, v]) => [k, String(v)])) });
    }
    expect(verifyAll(endpoint.secret, got).map((b) => b.id).sort()).toEqual([...published].sort());
  } finally {
    await ch.deleteQueue(exchange).catch(() => undefined);
    await ch.deleteExchange(exchange).catch(() => undefined);
    await conn.close();
  }
});
