import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { startStack, type Stack } from '../../tools/testkit/stack';
import type { PrivateBroker } from '../../tools/testkit/private-brokers';
import { startPrivateRabbit } from '../../tools/testkit/private-rabbit';
import { waitFor } from '../../tools/testkit/wait';
import { publishSpread, settledDeliveries, verifyAll, type Received } from '../harness/broker-delivery';

/** RabbitMQ endpoints on the real broker: messages a consumer verifies, unroutable ones failed, and a restart losing nothing. */
const AMQP = 'amqp://127.0.0.1:5672/';
let stack: Stack;
/** The private node of the restart test, torn down here too should that test die before its `finally`. */
let rabbit: PrivateBroker | null = null;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '500ms,1s,1s,2s,2s,3s,3s,5s,5s,5s', HOOKLINE_REQUEST_TIMEOUT_MS: '2000' });
});
afterAll(async () => {
  await rabbit?.destroy();
  await stack?.stop();
});

/** A durable topic exchange and a durable queue bound to it for every key. */
async function declare(url: string, exchange: string, queue: string): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertQueue(queue, { durable: true });
  await ch.bindQueue(queue, exchange, '#');
  await conn.close();
}

async function drain(url: string, queue: string): Promise<Received[]> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const out: Received[] = [];
  for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) {
    out.push({ body: m.content.toString(), headers: Object.fromEntries(Object.entries(m.properties.headers ?? {}).map(([k, v]) => [k, String(v)])) });
  }
  await conn.close();
  return out;
}

test('events and a test send arrive on the queue, verified by a Standard Webhooks consumer; attempts log the confirm', async () => {
  const tenant = await stack.newTenant();
  const exchange = `hooks-${randomUUID()}`;
  await declare(AMQP, exchange, exchange);
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: AMQP, exchange }, credentials: { username: 'guest', password: 'guest' } });
    const ids = await publishSpread(stack, tenant, 5, 20);
    await tenant.api.testWebhook(endpoint.id);
    const got: Received[] = [];
    await waitFor(async () => { got.push(...(await drain(AMQP, exchange))); return got.length >= 6; }, { what: 'six messages' });
    const bodies = verifyAll(endpoint.secret, got);
    expect(bodies.filter((b) => b.type === 'card.viewed').map((b) => b.id).sort()).toEqual([...ids].sort());
    expect(bodies.some((b) => b.type === 'webhook.test')).toBe(true);
    const deliveries = await settledDeliveries(tenant, endpoint.id, 6);
    for (const d of deliveries) {
      expect(d.status).toBe('success');
      expect(d.attempts[0]).toMatchObject({ responseStatus: 202, outcome: 'confirmed' });
    }
  } finally {
    const conn = await amqp.connect(AMQP);
    const ch = await conn.createChannel();
    await ch.deleteQueue(exchange);
    await ch.deleteExchange(exchange);
    await conn.close();
  }
});

test('an unroutable message and wrong credentials fail the delivery at once, with the broker outcome', async () => {
  const tenant = await stack.newTenant();
  const exchange = `hooks-${randomUUID()}`;
  const conn = await amqp.connect(AMQP);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
  try {
    const unroutable = await tenant.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: AMQP, exchange } });
    const badAuth = await tenant.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: AMQP, exchange }, credentials: { username: 'guest', password: 'not-it' } });
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const [a] = await settledDeliveries(tenant, unroutable.id, 1);
    expect(a).toMatchObject({ status: 'failed', attempts: [{ responseStatus: 400, outcome: 'unroutable' }] });
    const [b] = await settledDeliveries(tenant, badAuth.id, 1);
    expect(b).toMatchObject({ status: 'failed', attempts: [{ responseStatus: 400, outcome: 'auth_failed' }] });
    expect(JSON.stringify(b)).not.toContain('not-it');
  } finally {
    await ch.deleteExchange(exchange);
    await conn.close();
  }
});

test('RabbitMQ restarted mid-stream (a private node): every event is on the queue, none lost, each under one webhook-id', async () => {
  rabbit = await startPrivateRabbit();
  const node = rabbit;
  const tenant = await stack.newTenant();
  try {
    await declare(node.url, 'hooks', 'hooks');
    const endpoint = await tenant.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: node.url, exchange: 'hooks' } });
    // Ten before the restart, five while the broker is down (each fails and is retried), five after.
    const publish = async (from: number, to: number) => {
      const out: string[] = [];
      for (let n = from; n < to; n++) out.push((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n } })).id);
      return out;
    };
    const ids = await publish(0, 10);
    await node.stop();
    ids.push(...(await publish(10, 15)));
    await waitFor(async () => {
      const { data } = await tenant.api.listDeliveries(endpoint.id, { limit: 100 });
      return data.some((d) => d.status === 'pending' && d.attemptCount > 0);
    }, { timeoutMs: 60_000, what: 'a send refused while the broker is down' });
    await node.start();
    ids.push(...(await publish(15, 20)));
    const deliveries = await settledDeliveries(tenant, endpoint.id, 20, 120_000);
    expect(deliveries.filter((d) => d.status !== 'success')).toEqual([]);
    // Every attempt is in the log: the ones the restart failed (a network outcome, retried) and the confirm that ended each.
    for (const d of deliveries) {
      expect(d.attempts.at(-1)).toMatchObject({ responseStatus: 202, outcome: 'confirmed' });
      for (const a of d.attempts.slice(0, -1)) expect(a).toMatchObject({ responseStatus: null, outcome: expect.stringMatching(/^(refused|reset|timeout|broker_error)$/) });
    }
    expect(deliveries.some((d) => d.attempts.length > 1)).toBe(true); // the restart was met, not slept through
    const received = await drain(node.url, 'hooks');
    const bodies = verifyAll(endpoint.secret, received);
    expect(ids.filter((id) => !bodies.some((b) => b.id === id))).toEqual([]);
    // At least once: a duplicate may arrive, but always under the same webhook-id, so a consumer dedupes it.
    const webhookIds = new Map<string, Set<string>>();
    bodies.forEach((b, i) => webhookIds.set(b.id, (webhookIds.get(b.id) ?? new Set()).add(received[i]!.headers['webhook-id']!)));
    expect([...webhookIds.values()].filter((s) => s.size !== 1)).toEqual([]);
  } finally {
    await node.destroy();
    rabbit = null;
  }
  // The shared node was never part of it: it still takes connections.
  await (await amqp.connect(AMQP)).close();
}, 240_000);
