import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { startPrivateNats } from '../../tools/testkit/private-brokers';
import { waitFor } from '../../tools/testkit/wait';
import { publishSpread, settledDeliveries, verifyAll, type Received } from '../harness/broker-delivery';

/** NATS JetStream endpoints on the real server: messages a consumer verifies, failures logged, and a restart losing nothing. */
const NATS = 'nats://127.0.0.1:4222';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '500ms,1s,1s,2s,2s,3s,3s,5s,5s,5s', HOOKLINE_REQUEST_TIMEOUT_MS: '2000' });
});
afterAll(() => stack?.stop());

async function withNats<T>(url: string, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url });
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}

/** Every message the stream holds, read by sequence. */
function readStream(url: string, stream: string): Promise<Received[]> {
  return withNats(url, async (nc) => {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const out: Received[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      const headers: Record<string, string> = {};
      for (const k of m.header.keys()) headers[k] = m.header.get(k);
      out.push({ body: m.string(), headers });
    }
    return out;
  });
}

test('events and a test send reach the stream on a {type} subject, verified by a Standard Webhooks consumer; attempts log the ack', async () => {
  const tenant = await stack.newTenant();
  const stream = `HOOKS_${randomUUID().replace(/-/g, '')}`;
  await withNats(NATS, async (nc) => (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${stream}.>`] }));
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'nats', config: { serverUrl: NATS, subject: `${stream}.{type}` } });
    const ids = await publishSpread(stack, tenant, 5, 20);
    await tenant.api.testWebhook(endpoint.id);
    const got = await waitFor(async () => { const r = await readStream(NATS, stream); return r.length >= 6 && r; }, { what: 'six messages' });
    const bodies = verifyAll(endpoint.secret, got);
    expect(bodies.filter((b) => b.type === 'card.viewed').map((b) => b.id).sort()).toEqual([...ids].sort());
    expect(bodies.some((b) => b.type === 'webhook.test')).toBe(true);
    const deliveries = await settledDeliveries(tenant, endpoint.id, 6);
    for (const d of deliveries) {
      expect(d.status).toBe('success');
      expect(d.attempts[0]).toMatchObject({ responseStatus: 202, outcome: 'acked', responseBody: expect.stringContaining(`stored in stream ${stream}`) });
    }
  } finally {
    await withNats(NATS, async (nc) => (await nc.jetstreamManager()).streams.delete(stream));
  }
});

test('a subject no stream captures fails the delivery at once with the broker outcome', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ type: 'nats', config: { serverUrl: NATS, subject: `nowhere.${randomUUID()}` } });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [delivery] = await settledDeliveries(tenant, endpoint.id, 1);
  expect(delivery).toMatchObject({ status: 'failed', attempts: [{ responseStatus: 400, outcome: 'no_stream' }] });
});

test('NATS restarted mid-stream: every event is in the stream, none lost', async () => {
  const nats = await startPrivateNats({ token: 'hooks-token' });
  const tenant = await stack.newTenant();
  const stream = 'HOOKS';
  const auth = { servers: nats.url, token: 'hooks-token' };
  const nc = await connect(auth);
  await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: ['hooks.>'] });
  await nc.close();
  try {
    const endpoint = await tenant.api.createWebhook({ type: 'nats', config: { serverUrl: nats.url, subject: 'hooks.{type}' }, credentials: { token: 'hooks-token' } });
    const ids = await publishSpread(stack, tenant, 20, 50, async () => {
      await nats.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await nats.start();
    });
    const deliveries = await settledDeliveries(tenant, endpoint.id, 20, 90_000);
    expect(deliveries.filter((d) => d.status !== 'success')).toEqual([]);
    const reader = await connect(auth);
    const jsm = await reader.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const got: Received[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      const headers: Record<string, string> = {};
      for (const k of m.header.keys()) headers[k] = m.header.get(k);
      got.push({ body: m.string(), headers });
    }
    await reader.close();
    const bodies = verifyAll(endpoint.secret, got);
    expect(ids.filter((id) => !bodies.some((b) => b.id === id))).toEqual([]);
  } finally {
    await nats.destroy();
  }
});
