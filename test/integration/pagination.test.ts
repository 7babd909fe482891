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

test('a page cursor holds only the tenant’s own last row (its time and id), not a count across tenants', async () => {
  const a = await env.stack.newTenant('a');
  const b = await env.stack.newTenant('b');
  const endpointA = await a.api.createWebhook({ url: env.receiver.url });
  await b.api.createWebhook({ url: env.receiver.url });
  for (let i = 0; i < 3; i++) await env.stack.admin.publish({ tenantId: a.id, id: `a-${i}`, type: 'card.viewed', data: {} });
  for (let i = 0; i < 5; i++) await env.stack.admin.publish({ tenantId: b.id, id: `b-${i}`, type: 'card.viewed', data: {} });

  const page = await a.api.listDeliveries(endpointA.id, { limit: 2 });
  const last = page.data[1]!;
  const decoded = Buffer.from(page.nextCursor!, 'base64url').toString('utf8');
  expect(decoded).toContain(last.id);
  expect(decoded).toContain(last.createdAt.slice(0, 23)); // the time, to the microsecond Postgres keeps
  // The global insertion sequence (which grows with every tenant's deliveries) is nowhere in it.
  const [row] = await env.stack.sql<{ seq: string }[]>`select seq::text from deliveries where id = ${last.id}`;
  expect(decoded).not.toMatch(new RegExp(`(^|\\D)${row!.seq}(\\D|$)`));

  const rest = await a.api.listDeliveries(endpointA.id, { limit: 2, cursor: page.nextCursor! });
  expect(rest.data.map((d) => d.eventId)).toEqual(['a-0']);
  expect(rest.nextCursor).toBeNull();
  // Tampered cursors are refused, naming the parameter.
  for (const cursor of [page.nextCursor!.slice(0, -1), `${page.nextCursor!}A`, Buffer.from(decoded.replace('dlv_', 'dlv_;')).toString('base64url')]) {
    await expect(a.api.listDeliveries(endpointA.id, { cursor })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/cursor: /) });
  }
});
