import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

// A FIFO endpoint switched back to unordered hands its whole queue over to per-delivery workflows
// (releaseFifoQueue: several starts at once, resumable from its heartbeat).
const env = useStackAndReceiver({ HOOKLINE_RETRY_SCHEDULE: '1s,1s,1s,1s,1s,1s,1s,1s,1s,1s', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });

test('fifo → unordered: every queued delivery is sent, none twice', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url, ordering: 'fifo' });
  env.receiver.fallback = 503; // the head retries and holds the rest of the queue
  const published: string[] = [];
  for (let i = 0; i < 30; i++) published.push((await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
  await waitFor(() => env.receiver.requests.length >= 2, { what: 'the head retrying' });
  expect(new Set(env.receiver.requests.map((r) => JSON.parse(r.body).id)).size).toBe(1); // only the head so far

  env.receiver.fallback = 200;
  const from = env.receiver.requests.length; // every request from here on is answered 200
  await tenant.api.updateWebhook(endpoint.id, { ordering: 'unordered' });
  await waitFor(async () => (await tenant.api.searchDeliveries({ endpointId: endpoint.id, status: 'success', limit: 100 })).data.length === 30, {
    what: 'all 30 delivered',
    timeoutMs: 60_000,
  });
  const succeeded = env.receiver.requests.slice(from).map((r) => JSON.parse(r.body).id as string);
  expect(new Set(succeeded)).toEqual(new Set(published));
  expect(succeeded).toHaveLength(30);
});
