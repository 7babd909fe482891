import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIds } from '../../temporal/workflows/types';
import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

// A FIFO head that fails finally and so disables its endpoint stops the queue: the next head is not
// started while the endpoint workflow is still deciding to disable it.
const env = useStackAndReceiver({ HOOKLINE_RETRY_SCHEDULE: '200ms,200ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1' });

test('the failure that disables a FIFO endpoint stops its queue before the next delivery starts', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: `${env.receiver.url}fifo-disable`, ordering: 'fifo' });
  env.receiver.fallback = 500;
  const events: string[] = [];
  for (let i = 0; i < 3; i++) events.push((await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
  await waitFor(async () => !(await tenant.api.getWebhook(endpoint.id)).enabled, { what: 'the endpoint disabled', timeoutMs: 30_000 });

  // Any start of the second head came before the disable was saved: by now it would exist.
  const [second] = (await tenant.api.searchDeliveries({ eventId: events[1] })).data;
  const described = await env.stack.client.workflow.getHandle(workflowIds.delivery(second!.id)).describe().then(() => 'started', (e: unknown) => e);
  expect(described).toBeInstanceOf(WorkflowNotFoundError);
  const statuses = await Promise.all(events.map(async (eventId) => (await tenant.api.searchDeliveries({ eventId })).data[0]!.status));
  expect(statuses).toEqual(['failed', 'pending', 'pending']);
  expect(new Set(env.receiver.requests.filter((r) => r.url.includes('fifo-disable')).map((r) => JSON.parse(r.body).id))).toEqual(new Set([events[0]]));
});
