import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';

// A worker of 8 send slots: one endpoint may hold 2 of them, one tenant 4.
let stack: Stack;
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '8', HOOKLINE_REQUEST_TIMEOUT_MS: '15000', HOOKLINE_RETRY_SCHEDULE: '1s' });
  hanging = await startReceiver('hang');
  healthy = await startReceiver(200);
});
afterAll(async () => {
  await hanging?.close();
  await healthy?.close();
  await stack?.stop();
});

test("a receiver that hangs holds only its endpoint's share of the worker: another tenant's deliveries all arrive meanwhile", async () => {
  const noisy = await stack.newTenant('noisy');
  await noisy.api.createWebhook({ url: hanging.url });
  await Promise.all(Array.from({ length: 20 }, (_, i) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { i } })));
  await hanging.waitForRequests(2, 20_000);

  const quiet = await stack.newTenant('quiet');
  await quiet.api.createWebhook({ url: healthy.url });
  const started = Date.now();
  await Promise.all(Array.from({ length: 5 }, (_, i) => stack.admin.publish({ tenantId: quiet.id, type: 'card.viewed', data: { i } })));
  await healthy.waitForRequests(5, 12_000);

  // All arrived while the hanging receiver still held its requests open (they time out only after 15 s),
  // and that endpoint never had more than its 2 slots.
  expect(Date.now() - started).toBeLessThan(12_000);
  expect(hanging.requests.length).toBeLessThanOrEqual(2);
});

test("an endpoint's own maxInFlight holds it below the default share, or lets it above; a change applies from the next send (the activity reads it with the endpoint)", async () => {
  const slow = await startReceiver({ status: 200, delayMs: 1_000 });
  try {
    const tenant = await stack.newTenant('capped');
    const endpoint = await tenant.api.createWebhook({ url: slow.url, maxInFlight: 1 });
    await Promise.all(Array.from({ length: 3 }, (_, i) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })));
    const [first, second] = await slow.waitForRequests(2, 20_000);
    // One at a time: the second was sent only after the first's answer (1 s later).
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);

    // Raised to 3, above the worker's default share of 2 (8 slots / 4): three go at once.
    await tenant.api.updateWebhook(endpoint.id, { maxInFlight: 3 });
    await slow.waitForRequests(3, 20_000);
    // Each answer now takes 8 s: at 2 at once the third send could not arrive before the first answer.
    slow.fallback = { status: 200, delayMs: 8_000 };
    const before = slow.requests.length;
    await Promise.all(Array.from({ length: 3 }, (_, i) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i: 10 + i } })));
    const all = await slow.waitForRequests(before + 3, 30_000);
    const burst = all.slice(before);
    expect(burst[2]!.at - burst[0]!.at).toBeLessThan(6_000);
  } finally {
    await slow.close();
  }
});
