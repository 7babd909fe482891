import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// A worker of 8 send slots: a tenant's share is 4, an endpoint's 2. One tenant publishes 20 events to
// two endpoints whose receiver never answers (40 deliveries, 10 times its share). What its share has
// no room for waits in the outbox, not as workflows whose sends are refused and retried; every
// delivery is still tried and ends, and another tenant's deliveries flow meanwhile.
const EVENTS = 20;

let stack: Stack;
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '8', HOOKLINE_REQUEST_TIMEOUT_MS: '1000', HOOKLINE_RETRY_SCHEDULE: '100ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '20' });
  hanging = await startReceiver('hang');
  healthy = await startReceiver(200);
});
afterAll(async () => {
  await hanging?.close();
  await healthy?.close();
  await stack?.stop();
});

test("a tenant's deliveries beyond its share of the worker wait in the outbox, are all tried in turn, and hold up no one else", async () => {
  const noisy = await stack.newTenant('flood');
  for (let i = 0; i < 2; i++) await noisy.api.createWebhook({ url: `${hanging.url}?endpoint=${i}` });
  await Promise.all(Array.from({ length: EVENTS }, (_, n) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { n } })));

  // While its share is full, many of its events have not become workflows (claims made before the
  // first sends took their slots may each have started a share: a quarter is a safe floor).
  await hanging.waitForRequests(4, 15_000);
  const held = await stack.sql<{ n: number }[]>`select count(*)::int as n from outbox where tenant_id = ${noisy.id}`;
  expect(held[0]!.n).toBeGreaterThanOrEqual(EVENTS / 4);

  const quiet = await stack.newTenant('quiet');
  await quiet.api.createWebhook({ url: healthy.url });
  const { id } = await stack.admin.publish({ tenantId: quiet.id, type: 'card.viewed', data: {} });
  await waitFor(() => healthy.requests.some((r) => (JSON.parse(r.body) as { id: string }).id === id), { timeoutMs: 5_000, what: "the other tenant's delivery" });

  // Every delivery is tried twice (the schedule's one retry) and fails; nothing is left in the outbox.
  await waitFor(
    async () => (await stack.sql<{ n: number }[]>`select count(*)::int as n from deliveries where tenant_id = ${noisy.id} and status = 'failed'`)[0]!.n === 2 * EVENTS,
    { timeoutMs: 90_000, intervalMs: 500, what: 'every delivery of the flood failed after its attempts' },
  );
  expect((await stack.sql<{ n: number }[]>`select count(*)::int as n from outbox where tenant_id = ${noisy.id}`)[0]!.n).toBe(0);
}, 150_000);

test("an event for more of a tenant's endpoints than its share (a fan-out of 10, a share of 4) is claimed whole and every delivery arrives", async () => {
  const tenant = await stack.newTenant('fanout');
  for (let i = 0; i < 10; i++) await tenant.api.createWebhook({ url: `${healthy.url}?endpoint=${i}` });
  const ids = await Promise.all(Array.from({ length: 3 }, async (_, n) => (await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n } })).id));
  const arrived = () => healthy.requests.filter((r) => ids.includes((JSON.parse(r.body) as { id: string }).id)).length;
  await waitFor(() => arrived() >= 30, { timeoutMs: 30_000, what: 'all 30 deliveries of the three events' });
});

/** The sends this stack's worker gate refused while `events` events went to one new endpoint of a new tenant, answered after `delayMs`. */
async function refusedWhileFlooding(label: string, webhook: { maxInFlight?: number }, events: number, delayMs: number): Promise<number> {
  const refusals = async () =>
    (await stack.metrics.sendSlotWait.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.outcome === 'busy')?.value ?? 0;
  const slow = await startReceiver({ status: 200, delayMs });
  try {
    const tenant = await stack.newTenant(label);
    await tenant.api.createWebhook({ url: slow.url, ...webhook });
    const before = await refusals();
    await Promise.all(Array.from({ length: events }, (_, n) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n } })));
    await slow.waitForRequests(events, 30_000);
    expect(slow.requests).toHaveLength(events);
    return (await refusals()) - before;
  } finally {
    await slow.close();
  }
}

test("a tenant's flood to one endpoint is started by that endpoint's room (2 here), not by the tenant's share (4): no first send is refused", async () => {
  // Two at a time: the endpoint's lane was never asked for more than it holds.
  expect(await refusedWhileFlooding('one-endpoint', {}, 12, 400)).toBe(0);
});

test("an endpoint's own maxInFlight (1 here, under the default 2) bounds the first claim of its flood too: no first send is refused", async () => {
  expect(await refusedWhileFlooding('narrow-endpoint', { maxInFlight: 1 }, 8, 300)).toBe(0);
});
