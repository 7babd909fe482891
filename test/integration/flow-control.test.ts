import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process-handle';
import { startReceiverProcess } from '../harness/receiver-process';

// Per-endpoint flow control on the real stack, with TWO workers on one task queue: this process's
// (the stack's) and a worker process of its own, which one test SIGKILLs.
const RETRIES = Array.from({ length: 12 }, () => '100ms').join(',');
const env = testEnv({ HOOKLINE_RETRY_SCHEDULE: RETRIES, HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_WORKER_CONCURRENCY: '16' });
let stack: Stack;
let second: WorkerProcess | undefined;
let receiver: Receiver;

beforeAll(async () => {
  [stack, second, receiver] = await Promise.all([startStack(env), startWorkerProcess(env), startReceiver(200)]);
});
afterAll(async () => {
  await second?.stop();
  await receiver?.close();
  await stack?.stop();
});

const eventIdOf = (body: string) => (JSON.parse(body) as { id: string }).id;

test('the settings are fields of the endpoint: set on create, changed and reset by PATCH, validated with the field named', async () => {
  const tenant = await stack.newTenant();
  const created = await tenant.api.createWebhook({ url: receiver.url, maxInFlight: 3, rateLimit: 2.5, ordering: 'fifo' });
  expect(created).toMatchObject({ maxInFlight: 3, rateLimit: 2.5, ordering: 'fifo' });
  const plain = await tenant.api.createWebhook({ url: receiver.url });
  expect(plain).toMatchObject({ maxInFlight: null, rateLimit: null, ordering: 'unordered' });

  expect(await tenant.api.updateWebhook(created.id, { rateLimit: null, maxInFlight: null })).toMatchObject({ maxInFlight: null, rateLimit: null, ordering: 'fifo' });
  expect(await tenant.api.updateWebhook(created.id, { ordering: 'unordered' })).toMatchObject({ ordering: 'unordered' });
  expect(await tenant.api.getWebhook(created.id)).toMatchObject({ maxInFlight: null, rateLimit: null, ordering: 'unordered' });

  for (const [body, field] of [
    [{ maxInFlight: 17 }, 'maxInFlight'], // over HOOKLINE_WORKER_CONCURRENCY (16)
    [{ maxInFlight: 0 }, 'maxInFlight'],
    [{ rateLimit: 0 }, 'rateLimit'],
    [{ rateLimit: 'fast' }, 'rateLimit'],
    [{ ordering: 'lifo' }, 'ordering'],
  ] as const) {
    const res = await fetch(`${stack.api.url}/v1/webhooks/${created.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
  }
});

test('a rate limit of 5/s holds within 10% over 200 deliveries sent by two workers', async () => {
  const tenant = await stack.newTenant();
  // Its own process: arrival times taken in this one, which runs the API and a worker, bunch whenever its event loop is busy.
  const limited = await startReceiverProcess();
  try {
    await tenant.api.createWebhook({ url: limited.url, rateLimit: 5 });
    for (let i = 0; i < 200; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: i + j } })));
    }
    const got = await limited.waitForRequests(200, 90_000);
    const spanS = (got[199]!.at - got[0]!.at) / 1000;
    const rate = 199 / spanS;
    expect(rate).toBeGreaterThan(4.5);
    expect(rate).toBeLessThan(5.5);
    // No burst over the limit anywhere: sends are spaced 1/rate apart at the moment of sending too, so
    // no 2 s window holds more than 10 (+2 at its edges), no 10 s window more than 50 + 10%.
    const most = (ms: number) => Math.max(...got.map((r) => got.filter((x) => x.at >= r.at && x.at < r.at + ms).length));
    expect(most(2_000)).toBeLessThanOrEqual(12);
    expect(most(10_000)).toBeLessThanOrEqual(55);
    expect(new Set(got.map((r) => eventIdOf(r.body))).size).toBe(200);
  } finally {
    await limited.close();
  }
});

test('a FIFO endpoint receives 200 events in publish order while its receiver fails at random, across a worker SIGKILL', async () => {
  const tenant = await stack.newTenant();
  const fifo = await startReceiver(200);
  let random = 42;
  const coin = () => ((random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const log: { id: string; ok: boolean; at: number }[] = [];
  try {
    // 30% of the answers are 500s; each answer is recorded as the receiver saw it.
    fifo.fallback = 200;
    const reply = async (request: { body: string }) => {
      const id = eventIdOf(request.body);
      const ok = coin() >= 0.3;
      log.push({ id, ok, at: Date.now() });
      return ok ? 200 : 500;
    };
    fifo.script(...Array.from({ length: 2_000 }, () => reply));
    const endpoint = await tenant.api.createWebhook({ url: fifo.url, ordering: 'fifo' });
    const published: string[] = [];
    for (let i = 0; i < 200; i++) published.push((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: i } })).id);

    const delivered = () => new Set(log.filter((e) => e.ok).map((e) => e.id)).size;
    await waitFor(() => delivered() >= 60, { what: '60 events delivered', timeoutMs: 60_000 });
    await second!.kill();
    second = await startWorkerProcess(env);

    await waitFor(() => delivered() >= 200, { what: `200 events delivered (got ${delivered()})`, timeoutMs: 120_000 });
    // In publish order, one at a time: every request was for the head of the queue (the first event
    // not yet received with a 200), or a repeat of one already received (at least once: a send whose
    // answer the SIGKILL cut off goes again), never for a later event.
    const done = new Set<string>();
    const outOfOrder: string[] = [];
    for (const e of log) {
      const at = published.indexOf(e.id);
      if (at > done.size || (at < done.size && !done.has(e.id))) outOfOrder.push(`${e.id} (#${at}) with ${done.size} delivered`);
      if (e.ok) done.add(e.id);
    }
    expect(outOfOrder).toEqual([]);
    const firstSuccess = log.filter((e) => e.ok).map((e) => e.id).filter((id, i, all) => all.indexOf(id) === i);
    expect(firstSuccess).toEqual(published);
    expect(log.some((e) => !e.ok)).toBe(true);
    // Each answer is recorded just after the receiver gave it: none is left pending once recorded.
    await waitFor(async () => (await tenant.api.listDeliveries(endpoint.id, { limit: 100, status: 'pending' })).data.length === 0, {
      what: 'no delivery of the FIFO endpoint left pending',
      timeoutMs: 30_000,
    });
  } finally {
    await fifo.close();
  }
}, 240_000); // one delivery at a time, ~6 Temporal round trips each: about 110 s on 2 busy cores
