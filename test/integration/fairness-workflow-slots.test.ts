import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';

// A first attempt runs as a local activity inside its workflow task, and the worker holds that task's
// slot until the send ends. Three tenants whose receivers hang, each well within its fair share of
// sends, must not take every workflow task slot between them: the worker's other deliveries (theirs
// and another tenant's) also run as workflow tasks, and would wait for the hanging requests to time out.
const REQUEST_TIMEOUT_MS = 25_000;
const HANGING_PER_TENANT = 20;
const ARRIVAL_BOUND_MS = 8_000;

let stack: Stack;
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '100', HOOKLINE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HOOKLINE_RETRY_SCHEDULE: '1s', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });
  hanging = await startReceiver('hang');
  healthy = await startReceiver(200);
});
afterAll(async () => {
  await hanging?.close();
  await healthy?.close();
  await stack?.stop();
});

test("tenants' hanging first attempts leave the worker's workflow task slots to every other delivery", async () => {
  for (let t = 0; t < 3; t++) {
    const noisy = await stack.newTenant('hangs');
    for (let i = 0; i < 5; i++) await noisy.api.createWebhook({ url: `${hanging.url}?tenant=${t}&endpoint=${i}` });
    await Promise.all(Array.from({ length: HANGING_PER_TENANT / 5 }, (_, n) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { n } })));
  }
  // Every one of the 60 sends is under way long before the first of them times out.
  await hanging.waitForRequests(3 * HANGING_PER_TENANT, REQUEST_TIMEOUT_MS - 5_000);

  const quiet = await stack.newTenant('quiet');
  await quiet.api.createWebhook({ url: healthy.url });
  const latencies: number[] = [];
  for (let i = 0; i < 8; i++) {
    const publishedAt = Date.now();
    const { id } = await stack.admin.publish({ tenantId: quiet.id, type: 'card.viewed', data: { i } });
    const arrived = await waitForEvent(healthy, id, publishedAt + ARRIVAL_BOUND_MS + 2_000);
    latencies.push(arrived - publishedAt);
  }
  expect(latencies.filter((ms) => ms > ARRIVAL_BOUND_MS)).toEqual([]);
}, 180_000);

async function waitForEvent(receiver: Receiver, eventId: string, deadline: number): Promise<number> {
  for (;;) {
    const hit = receiver.requests.find((r) => (JSON.parse(r.body) as { id: string }).id === eventId);
    if (hit) return hit.at;
    if (Date.now() > deadline) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}
