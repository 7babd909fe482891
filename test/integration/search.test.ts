import { HooklineClient } from '../../api/client';
import { useStackAndReceiver } from '../harness/use-stack';
import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

const env = useStackAndReceiver();

/** A tenant with two endpoints (one disabled) and events of two types, all deliveries settled. */
async function tenantWithLog() {
  const tenant = await env.stack.newTenant('s');
  const live = await tenant.api.createWebhook({ url: env.receiver.url });
  const off = await tenant.api.createWebhook({ url: env.receiver.url, events: ['card.viewed'] });
  await tenant.api.updateWebhook(off.id, { enabled: false });
  for (let i = 0; i < 4; i++) await env.stack.admin.publish({ tenantId: tenant.id, id: `view-${i}`, type: 'card.viewed', data: { i } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'sign-0', type: 'signing.completed', data: { signed: true } });
  const test = await tenant.api.testWebhook(live.id);
  // 5 events to the live endpoint, 4 skipped on the disabled one, 1 test send.
  await waitFor(async () => (await tenant.api.searchDeliveries({ status: 'success', limit: 100 })).data.length === 6, { what: '6 successful deliveries' });
  return { tenant, live, off, testDeliveryId: test.deliveryId };
}

test('an event reads back with its payload and every delivery; another tenant’s event is a 404', async () => {
  const { tenant, live, off, testDeliveryId } = await tenantWithLog();
  const other = await env.stack.newTenant('o');
  await env.stack.admin.publish({ tenantId: other.id, id: 'theirs', type: 'card.viewed', data: { secret: 1 } });

  const event = await tenant.api.getEvent('view-2');
  expect(event).toMatchObject({ id: 'view-2', type: 'card.viewed', data: { i: 2 }, deliveriesNextCursor: null });
  expect(event.deliveries.map((d) => [d.endpointId, d.status, d.kind]).sort()).toEqual(
    [[live.id, 'success', 'event'], [off.id, 'skipped', 'event']].sort(),
  );
  expect((await tenant.api.getEvent('sign-0')).deliveries.map((d) => d.endpointId)).toEqual([live.id]);
  const test = await tenant.api.searchDeliveries({ kind: 'test' });
  expect(test.data.map((d) => d.id)).toEqual([testDeliveryId]);

  await expect(tenant.api.getEvent('theirs')).rejects.toMatchObject({ status: 404 });
  await expect(other.api.getEvent('view-2')).rejects.toMatchObject({ status: 404 });
  // The admin reads any tenant's event by naming the tenant.
  expect(await env.stack.admin.getEvent('theirs', { tenantId: other.id })).toMatchObject({ data: { secret: 1 } });
  await expect(env.stack.admin.getEvent('theirs', { tenantId: tenant.id })).rejects.toMatchObject({ status: 404 });
  await expect(env.stack.admin.getEvent('theirs')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/tenantId: required/) });
  await expect(tenant.api.getEvent('view-2', { tenantId: other.id })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/tenantId: /) });
  await expect(new HooklineClient({ baseUrl: env.stack.api.url, token: 'hk_not_a_key' }).getEvent('view-2')).rejects.toMatchObject({ status: 401 });
  await expect(new HooklineClient({ baseUrl: env.stack.api.url, token: `${ADMIN_TOKEN}x` }).getEvent('view-2', { tenantId: tenant.id })).rejects.toMatchObject({ status: 401 });
  // Publishing stays admin-only.
  await expect(tenant.api.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} })).rejects.toMatchObject({ status: 401 });
});

test('the event log pages newest first and filters by type and time', async () => {
  const { tenant } = await tenantWithLog();
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await tenant.api.listEvents({ limit: 2, cursor });
    seen.push(...page.data.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // The test send's event is the tenant's too (webhook.test), newest.
  expect(seen.filter((id) => !id.startsWith('evt_'))).toEqual(['sign-0', 'view-3', 'view-2', 'view-1', 'view-0']);
  expect(new Set(seen).size).toBe(seen.length);

  expect((await tenant.api.listEvents({ type: 'signing.completed' })).data.map((e) => e.id)).toEqual(['sign-0']);
  const all = (await tenant.api.listEvents({ type: 'card.viewed' })).data;
  const middle = all[2]!.createdAt; // view-1
  expect((await tenant.api.listEvents({ type: 'card.viewed', since: middle })).data.map((e) => e.id)).toEqual(['view-3', 'view-2', 'view-1']);
  expect((await tenant.api.listEvents({ type: 'card.viewed', until: middle })).data.map((e) => e.id)).toEqual(['view-0']);
  expect((await tenant.api.listEvents({ since: '2999-01-01' })).data).toEqual([]);
  expect((await env.stack.admin.listEvents({ tenantId: tenant.id, type: 'signing.completed' })).data.map((e) => e.id)).toEqual(['sign-0']);

  const delivery = await tenant.api.searchDeliveries({ limit: 1 });
  const bad: [Record<string, string>, RegExp][] = [
    [{ cursor: 'garbage' }, /cursor: /],
    [{ cursor: delivery.nextCursor! }, /cursor: /],
    [{ since: 'yesterday' }, /since: /],
    [{ since: '2026-11-24T10:00:00Z', until: '2026-11-24T09:00:00Z' }, /until: must be after since/],
    [{ type: 'Not A Type' }, /type: /],
    [{ limit: '0' }, /limit: /],
    [{ bogus: '1' }, /bogus: unknown field/],
  ];
  for (const [query, message] of bad) {
    await expect(tenant.api.request('GET', `/v1/events?${new URLSearchParams(query)}`)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(message) });
  }
});

test('deliveries are searched across the tenant’s endpoints by every filter, skipped ones included', async () => {
  const { tenant, live, off } = await tenantWithLog();
  const other = await env.stack.newTenant('o');
  await other.api.createWebhook({ url: env.receiver.url });
  await env.stack.admin.publish({ tenantId: other.id, id: 'view-0', type: 'card.viewed', data: {} });

  const ids = async (q: Parameters<typeof tenant.api.searchDeliveries>[0]) => (await tenant.api.searchDeliveries({ limit: 100, ...q })).data;
  const everything = await ids({});
  expect(everything).toHaveLength(10);
  expect(new Set(everything.map((d) => d.endpointId))).toEqual(new Set([live.id, off.id]));
  // Newest first.
  const times = everything.map((d) => d.createdAt);
  expect([...times].sort().reverse()).toEqual(times);

  const skipped = await ids({ status: 'skipped' });
  expect(skipped.map((d) => [d.endpointId, d.eventType, d.attemptCount])).toEqual(Array(4).fill([off.id, 'card.viewed', 0]));
  expect((await ids({ endpointId: off.id })).every((d) => d.status === 'skipped')).toBe(true);
  expect((await ids({ endpointId: live.id })).map((d) => d.status)).toEqual(Array(6).fill('success'));
  expect((await ids({ eventType: 'signing.completed' })).map((d) => d.eventId)).toEqual(['sign-0']);
  expect((await ids({ eventId: 'view-1' })).map((d) => d.endpointId).sort()).toEqual([live.id, off.id].sort());
  expect((await ids({ eventId: 'view-1', status: 'skipped' })).map((d) => d.endpointId)).toEqual([off.id]);
  expect(await ids({ kind: 'redelivery' })).toEqual([]);
  expect(await ids({ status: 'failed' })).toEqual([]);
  const third = everything[7]!.createdAt;
  expect(await ids({ since: third })).toEqual(everything.slice(0, 8));
  expect(await ids({ until: third })).toEqual(everything.slice(8));
  // The other tenant's delivery of an event with the same id is not in this tenant's search, nor the reverse.
  expect((await ids({ eventId: 'view-0' })).every((d) => d.endpointId === live.id || d.endpointId === off.id)).toBe(true);
  expect((await other.api.searchDeliveries({ endpointId: live.id })).data).toEqual([]);

  // Pages of 3 walk all 10 once, in order.
  const walked: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await tenant.api.searchDeliveries({ limit: 3, cursor });
    walked.push(...page.data.map((d) => d.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(walked).toEqual(everything.map((d) => d.id));
  // A cursor is a position, not a permission: another tenant's page from it shows only its own rows.
  const mid = await tenant.api.searchDeliveries({ limit: 2 });
  expect((await other.api.searchDeliveries({ cursor: mid.nextCursor! })).data.every((d) => !walked.includes(d.id))).toBe(true);
});

test('a bad search parameter is a 400 naming it', async () => {
  const tenant = await env.stack.newTenant('b');
  const events = await tenant.api.listEvents({ limit: 1 });
  expect(events.nextCursor).toBeNull();
  const eventCursor = Buffer.from('ev|2026-11-24T10:00:00.000000Z|view-1').toString('base64url');
  const bad: [Record<string, string>, RegExp][] = [
    [{ status: 'done' }, /status: /],
    [{ kind: 'retry' }, /kind: /],
    [{ since: '24/11/2026' }, /since: /],
    [{ until: '2026-13-01' }, /until: /],
    [{ since: '2026-02-30T10:00:00Z' }, /since: not a calendar time/],
    [{ since: '2026-11-24', until: '2026-11-23' }, /until: must be after since/],
    [{ limit: '101' }, /limit: /],
    [{ limit: 'ten' }, /limit: /],
    [{ cursor: 'garbage' }, /cursor: /],
    [{ cursor: eventCursor }, /cursor: not a cursor/],
    [{ endpointId: 'ep;drop' }, /endpointId: /],
    [{ eventType: '*' }, /eventType: /],
    [{ tenantId: 'x' }, /tenantId: unknown field/],
  ];
  for (const [query, message] of bad) {
    await expect(tenant.api.request('GET', `/v1/deliveries?${new URLSearchParams(query)}`)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(message) });
  }
  await expect(env.stack.admin.searchDeliveries()).rejects.toMatchObject({ status: 401 });
});

test('pages skip no delivery made in the same millisecond as the last one shown (both delivery lists)', async () => {
  const tenant = await env.stack.newTenant('ms');
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  for (let i = 0; i < 3; i++) await env.stack.admin.publish({ tenantId: tenant.id, id: `same-ms-${i}`, type: 'card.viewed', data: {} });
  await waitFor(async () => (await tenant.api.searchDeliveries({ status: 'success' })).data.length === 3, { what: '3 sent' });
  // Three deliveries a few microseconds apart, within one millisecond (a fan-out's are even equal).
  await env.stack.sql`
    update deliveries set created_at = '2026-11-24T10:00:00.000100Z'::timestamptz + (substr(event_id, 9)::int * interval '100 microseconds')
    where tenant_id = ${tenant.id}`;
  for (const list of [
    (cursor?: string) => tenant.api.searchDeliveries({ limit: 1, cursor }),
    (cursor?: string) => tenant.api.listDeliveries(endpoint.id, { limit: 1, cursor }),
  ]) {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      seen.push(...page.data.map((d) => d.eventId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['same-ms-2', 'same-ms-1', 'same-ms-0']);
  }
});
