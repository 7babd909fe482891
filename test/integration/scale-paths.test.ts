import { workflowIds } from '../../temporal/workflows/types';
import { INLINE_FAN_OUT_LIMIT } from '../../services/publish';
import { useStackAndReceiver } from '../harness/use-stack';

const env = useStackAndReceiver({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '100', HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });

test('an event with more subscribers than the inline limit reaches them all through the fan-out workflow', async () => {
  const tenant = await env.stack.newTenant();
  const count = INLINE_FAN_OUT_LIMIT + 10;
  for (let i = 0; i < count; i++) await tenant.api.createWebhook({ url: `${env.receiver.url}?n=${i}` });
  const { id } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await env.receiver.waitForRequests(count, 60_000);
  expect(env.receiver.requests.filter((r) => r.headers['webhook-id'] === id)).toHaveLength(count);
  const fanOut = await env.stack.client.workflow.getHandle(workflowIds.fanOut(tenant.id, id)).result();
  expect(fanOut).toEqual({ started: count });
});
