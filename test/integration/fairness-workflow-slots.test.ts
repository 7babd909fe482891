import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { quietTenantLatencies } from '../harness/quiet-tenant';

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

  const latencies = await quietTenantLatencies(stack, healthy, ARRIVAL_BOUND_MS);
  expect(latencies.filter((ms) => ms > ARRIVAL_BOUND_MS)).toEqual([]);
}, 180_000);

