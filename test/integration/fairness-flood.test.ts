import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { quietTenantLatencies } from '../harness/quiet-tenant';

// One tenant floods five endpoints whose receiver accepts and never answers; another tenant's
// deliveries must keep flowing meanwhile. A worker of 8 send slots (16 activity slots): small, so
// the flood outnumbers it many times over, as a flood outnumbers any real worker.
const FLOOD_EVENTS = 150;
const ARRIVAL_BOUND_MS = 8_000;

let stack: Stack;
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '8', HOOKLINE_REQUEST_TIMEOUT_MS: '25000', HOOKLINE_RETRY_SCHEDULE: '1s', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });
  hanging = await startReceiver('hang');
  healthy = await startReceiver(200);
});
afterAll(async () => {
  await hanging?.close();
  await healthy?.close();
  await stack?.stop();
});

test("a tenant flooding five hanging receivers does not hold up another tenant's deliveries: each arrives within a few seconds", async () => {
  const noisy = await stack.newTenant('flood');
  for (let i = 0; i < 5; i++) await noisy.api.createWebhook({ url: `${hanging.url}?endpoint=${i}` });
  for (let i = 0; i < FLOOD_EVENTS; i += 40) {
    await Promise.all(Array.from({ length: 40 }, (_, j) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { n: i + j } })));
  }
  await hanging.waitForRequests(5, 30_000);

  const latencies = await quietTenantLatencies(stack, healthy, ARRIVAL_BOUND_MS);
  // Every one of them, not a median: a tenant judges the service by its slowest webhook.
  expect(latencies.filter((ms) => ms > ARRIVAL_BOUND_MS)).toEqual([]);
}, 180_000);

