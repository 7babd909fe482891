import { workflowIds } from '../../workflows/types';
import { INLINE_FAN_OUT_LIMIT } from '../../lib/publish';
import { startReceiver, type Receiver } from '../harness/receiver';
import { startStack, type Stack } from '../harness/stack';

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  stack = await startStack({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '100', HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

test('an event with more subscribers than the inline limit reaches them all through the fan-out workflow', async () => {
  const tenant = await stack.newTenant();
  const count = INLINE_FAN_OUT_LIMIT + 10;
  for (let i = 0; i < count; i++) await tenant.api.createWebhook({ url: `${receiver.url}?n=${i}` });
  const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await receiver.waitForRequests(count, 60_000);
  expect(receiver.requests.filter((r) => r.headers['webhook-id'] === id)).toHaveLength(count);
  const fanOut = await stack.client.workflow.getHandle(workflowIds.fanOut(tenant.id, id)).result();
  expect(fanOut).toEqual({ started: count });
});
