import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

const env = useStackAndReceiver();

test('paging walks every delivery once, newest first, while new ones arrive', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  for (let i = 0; i < 23; i++) await env.stack.admin.publish({ tenantId: tenant.id, id: `e-${i}`, type: 'card.viewed', data: { i } });
  await waitFor(async () => (await tenant.api.listDeliveries(endpoint.id, { status: 'success', limit: 100 })).data.length === 23, {
    what: '23 successful deliveries',
  });

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await tenant.api.listDeliveries(endpoint.id, { limit: 5, cursor });
    seen.push(...page.data.map((d) => d.eventId));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
    // Newer deliveries land between pages; they must not shift what the cursor returns.
    await env.stack.admin.publish({ tenantId: tenant.id, id: `late-${pages}`, type: 'card.viewed', data: {} });
  } while (cursor);

  const original = seen.filter((id) => id.startsWith('e-'));
  expect(new Set(seen).size).toBe(seen.length);
  expect(original).toEqual(Array.from({ length: 23 }, (_, i) => `e-${22 - i}`));
  expect(pages).toBe(5);

  const failedOnly = await tenant.api.listDeliveries(endpoint.id, { status: 'failed' });
  expect(failedOnly).toEqual({ data: [], nextCursor: null });
  await expect(tenant.api.listDeliveries(endpoint.id, { cursor: 'garbage' })).rejects.toMatchObject({ status: 400 });
});
