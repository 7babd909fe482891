import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import Redis from 'ioredis';
import { connect, type NatsConnection } from 'nats';
import { createAmqpPublisher } from '../../infra/brokers/rabbitmq';
import { createNatsPublisher } from '../../infra/brokers/nats';
import { createRedisPublisher } from '../../infra/brokers/redis';
import { freePort } from '../../tools/testkit/free-port';
import { startPrivateNats, startPrivateRedis } from '../../tools/testkit/private-brokers';

const AMQP = 'amqp://127.0.0.1:5672/';
const NATS = 'nats://127.0.0.1:4222';
const REDIS = 'redis://127.0.0.1:6379/0';
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc' };

describe('RabbitMQ publisher', () => {
  const publisher = createAmqpPublisher({ idleMs: 500 });
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const exchange = `hookline-test-${randomUUID()}`;
  const queue = `${exchange}-q`;
  const base = { serverUrl: AMQP, username: 'guest', password: 'guest', exchange, type: 'order.created', body: '{"a":1}', headers, timeoutMs: 5_000 };

  beforeAll(async () => {
    conn = await amqp.connect(AMQP);
    ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    await ch.assertQueue(queue, { durable: false, exclusive: true });
    await ch.bindQueue(queue, exchange, 'order.*');
  });
  afterAll(async () => {
    await ch.deleteExchange(exchange).catch(() => undefined);
    await conn.close();
    await publisher.pool.closeAll();
  });

  it('counts a message as taken once the broker confirms it, with the body and headers intact', async () => {
    const out = await publisher.publish({ ...base, routingKey: 'order.created', messageId: randomUUID() });
    expect(out).toMatchObject({ verdict: 'taken', code: 'confirmed' });
    const got = await ch.get(queue, { noAck: true });
    expect(got && got.content.toString()).toBe('{"a":1}');
    expect(got && got.properties.headers).toMatchObject(headers);
    expect(got && got.properties.type).toBe('order.created');
  });

  it('fails finally, not silently, when no queue is bound for the routing key', async () => {
    const out = await publisher.publish({ ...base, routingKey: 'invoice.paid', messageId: randomUUID() });
    expect(out).toMatchObject({ verdict: 'final', code: 'unroutable' });
    expect(out.detail).toContain('NO_ROUTE');
  });

  it('fails finally on a missing exchange, and the same connection keeps publishing to others', async () => {
    const missing = await publisher.publish({ ...base, exchange: `absent-${randomUUID()}`, routingKey: 'order.created', messageId: randomUUID() });
    expect(missing).toMatchObject({ verdict: 'final', code: 'not_found' });
    expect(missing.detail).toContain('no exchange');
    const after = await publisher.publish({ ...base, routingKey: 'order.created', messageId: randomUUID() });
    expect(after.verdict).toBe('taken');
    expect(publisher.pool.size()).toBe(1);
  });

  it('fails finally on wrong credentials, and retries when the broker is not there', async () => {
    const auth = await publisher.publish({ ...base, password: 'wrong', routingKey: 'order.created', messageId: randomUUID() });
    expect(auth).toMatchObject({ verdict: 'final', code: 'auth_failed' });
    expect(auth.detail).not.toContain('wrong');
    const down = await publisher.publish({ ...base, serverUrl: `amqp://127.0.0.1:${await freePort()}/`, routingKey: 'order.created', messageId: randomUUID() });
    expect(down).toMatchObject({ verdict: 'retry', code: 'refused' });
  });

  it('closes an idle connection and opens a fresh one for the next send', async () => {
    await publisher.publish({ ...base, routingKey: 'order.created', messageId: randomUUID() });
    const deadline = Date.now() + 5_000;
    while (publisher.pool.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(publisher.pool.size()).toBe(0);
    expect((await publisher.publish({ ...base, routingKey: 'order.created', messageId: randomUUID() })).verdict).toBe('taken');
  });
});

describe('NATS JetStream publisher', () => {
  const publisher = createNatsPublisher();
  let nc: NatsConnection;
  const stream = `HOOKLINE_TEST_${randomUUID().replace(/-/g, '')}`;
  const prefix = `hltest.${stream}`;
  const base = { serverUrl: NATS, body: '{"a":1}', headers, timeoutMs: 5_000 };

  beforeAll(async () => {
    nc = await connect({ servers: NATS });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    await publisher.pool.closeAll();
  });

  it('counts a message as taken on the stream ack, and a retried publish as a duplicate', async () => {
    const messageId = randomUUID();
    const out = await publisher.publish({ ...base, subject: `${prefix}.order.created`, messageId });
    expect(out).toMatchObject({ verdict: 'taken', code: 'acked' });
    const again = await publisher.publish({ ...base, subject: `${prefix}.order.created`, messageId });
    expect(again).toMatchObject({ verdict: 'taken', code: 'duplicate' });
    const jsm = await nc.jetstreamManager();
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(stored.string()).toBe('{"a":1}');
    expect(stored.header.get('webhook-id')).toBe('msg_1');
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
  });

  it('fails finally when no stream captures the subject', async () => {
    const out = await publisher.publish({ ...base, subject: `nowhere.${randomUUID()}`, messageId: randomUUID() });
    expect(out).toMatchObject({ verdict: 'final', code: 'no_stream' });
  });

  it('fails finally on a wrong token, and retries when the server is not there', async () => {
    const server = await startPrivateNats({ token: 's3cret' });
    try {
      const auth = await publisher.publish({ ...base, serverUrl: server.url, token: 'wrong', subject: 'a.b', messageId: randomUUID() });
      expect(auth).toMatchObject({ verdict: 'final', code: 'auth_failed' });
    } finally {
      await server.destroy();
    }
    const down = await publisher.publish({ ...base, serverUrl: `nats://127.0.0.1:${await freePort()}`, subject: 'a.b', messageId: randomUUID() });
    expect(down.verdict).toBe('retry');
  });
});

describe('Redis Streams publisher', () => {
  const publisher = createRedisPublisher();
  const admin = new Redis(REDIS);
  const stream = `hookline-test-${randomUUID()}`;
  const base = { serverUrl: REDIS, stream, fields: [['body', '{"a":1}'], ['webhook-id', 'msg_1']] as [string, string][], timeoutMs: 5_000 };

  beforeAll(async () => {
    await admin.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
  });
  afterAll(async () => {
    await admin.del(stream);
    admin.disconnect();
    await publisher.pool.closeAll();
  });

  it('counts an entry as taken on the XADD reply, and trims approximately to maxLen', async () => {
    const out = await publisher.publish(base);
    expect(out).toMatchObject({ verdict: 'taken', code: 'appended' });
    const read = (await admin.xreadgroup('GROUP', 'consumers', 'c1', 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    expect(read[0]![1][0]![1]).toEqual(['body', '{"a":1}', 'webhook-id', 'msg_1']);
    for (let i = 0; i < 300; i++) await publisher.publish({ ...base, maxLen: 10 });
    expect(await admin.xlen(stream)).toBeLessThan(200);
  });

  it('fails finally when the stream does not exist or the key is not a stream', async () => {
    expect(await publisher.publish({ ...base, stream: `absent-${randomUUID()}` })).toMatchObject({ verdict: 'final', code: 'no_stream' });
    const key = `hookline-test-string-${randomUUID()}`;
    await admin.set(key, 'x');
    expect(await publisher.publish({ ...base, stream: key })).toMatchObject({ verdict: 'final', code: 'wrong_type' });
    await admin.del(key);
  });

  it('fails finally on a wrong password, and retries when the server is not there', async () => {
    const server = await startPrivateRedis({ password: 's3cret' });
    try {
      const auth = await publisher.publish({ ...base, serverUrl: server.url, password: 'wrong' });
      expect(auth).toMatchObject({ verdict: 'final', code: 'auth_failed' });
    } finally {
      await server.destroy();
    }
    const down = await publisher.publish({ ...base, serverUrl: `redis://127.0.0.1:${await freePort()}/0` });
    expect(down).toMatchObject({ verdict: 'retry' });
  });
});
