import { waitFor } from '../../tools/testkit/wait';
import { useStackAndReceiver } from '../harness/use-stack';

const env = useStackAndReceiver();

test('a 429 with Retry-After: 3 pauses every delivery of that endpoint for about 3 s, uncounted, and a success ends the pause', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  env.receiver.script({ status: 429, headers: { 'retry-after': '3' } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'first', type: 'card.viewed', data: {} });
  const [told] = await env.receiver.waitForRequests(1);

  await Promise.all(['b', 'c', 'd'].map((id) => env.stack.admin.publish({ tenantId: tenant.id, id, type: 'card.viewed', data: {} })));
  const all = await env.receiver.waitForRequests(5, 20_000);
  const later = all.slice(1);
  // Nothing reached the receiver during the pause: the retry of the first and the three others came after it.
  for (const request of later) expect(request.at - told!.at).toBeGreaterThanOrEqual(2_800);
  expect(later.map((r) => JSON.parse(r.body).id).sort()).toEqual(['b', 'c', 'd', 'first']);

  // The receiver has answered; the worker records each answer just after.
  const deliveries = await waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpoint.id, { limit: 10 });
    return data.length === 4 && data.every((d) => d.status === 'success') && data;
  }, { timeoutMs: 10_000, what: 'all four deliveries recorded as a success' });
  // The waits were not attempts: only the one that got the 429 has two.
  expect(deliveries.map((d) => d.attemptCount).sort()).toEqual([1, 1, 1, 2]);

  // The pause is over: the next event goes at once.
  const before = Date.now();
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'after', type: 'card.viewed', data: {} });
  const [next] = (await env.receiver.waitForRequests(6)).slice(5);
  expect(next!.at - before).toBeLessThan(2_000);
});
