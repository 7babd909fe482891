import type { HooklineClient } from '../../api/client';
import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';
import { expectError } from '../harness/expect-error';

const env = useStackAndReceiver({ HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_RECOVERY_BATCH_SIZE: '2' });

const completed = (api: HooklineClient, id: string) =>
  waitFor(async () => {
    const r = await api.getRecovery(id);
    return r.status !== 'running' && r.pending === 0 && r;
  }, { what: `recovery ${id} to finish`, timeoutMs: 60_000 });

const queuedOrder = async (recoveryId: string) =>
  (await env.stack.sql<{ eventId: string }[]>`select event_id from deliveries where recovery_id = ${recoveryId} order by seq`).map((r) => r.eventId);

const idsAt = (from: number) => env.receiver.requests.slice(from).map((r) => String(r.headers['webhook-id']));

test('failed deliveries of a time range are re-sent oldest first, once per event; the same request again is the same recovery', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  const since = new Date(Date.now() - 1_000).toISOString();
  env.receiver.fallback = 500;
  const events: string[] = [];
  for (let i = 0; i < 5; i++) events.push((await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
  await waitFor(async () => {
    const page = await tenant.api.listDeliveries(endpoint.id, { status: 'failed', limit: 100 });
    return page.data.length === 5;
  }, { what: 'five failed deliveries' });
  // One of them redelivered by hand and failed again: two failed deliveries of one event, re-sent once.
  const [first] = (await tenant.api.listDeliveries(endpoint.id, { status: 'failed', limit: 100 })).data.slice(-1);
  const again = await tenant.api.redeliver(first!.id);
  await waitFor(async () => (await tenant.api.getDelivery(again.deliveryId)).status === 'failed', { what: 'the redelivery to fail' });
  env.receiver.fallback = 200;
  const before = env.receiver.requests.length;

  const { recoveryId } = await tenant.api.recoverWebhook(endpoint.id, { since, statuses: ['failed'] });
  const done = await completed(tenant.api, recoveryId);
  expect(done).toMatchObject({ status: 'completed', endpointId: endpoint.id, statuses: ['failed'], matched: 6, queued: 5, succeeded: 5, failed: 0 });
  const arrived = idsAt(before);
  expect(arrived).toHaveLength(5);
  expect(new Set(arrived).size).toBe(5);
  expect(new Set(env.receiver.requests.slice(before).map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set(events));
  // Queued oldest first (the sends of one batch run side by side).
  expect(await queuedOrder(recoveryId)).toEqual(events);

  const repeat = await tenant.api.recoverWebhook(endpoint.id, { since, statuses: ['failed'] });
  expect(repeat.recoveryId).toBe(recoveryId);
  const other = await tenant.api.recoverWebhook(endpoint.id, { since, statuses: ['failed'] }, { idempotencyKey: 'second-try' });
  expect(other.recoveryId).not.toBe(recoveryId);
  // The originals match again, but their events reached the endpoint through the first: none is sent twice.
  expect(await completed(tenant.api, other.recoveryId)).toMatchObject({ matched: 6, queued: 0 });
  expect(env.receiver.requests.length - before).toBe(5);
});

test('an event published while an endpoint is disabled is skipped, and re-enabling with recoverSkipped sends it', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  await tenant.api.updateWebhook(endpoint.id, { enabled: false });
  const before = env.receiver.requests.length;
  const published = [];
  for (let i = 0; i < 3; i++) published.push((await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
  const skipped = (await tenant.api.listDeliveries(endpoint.id, { status: 'skipped' })).data;
  expect(skipped).toHaveLength(3);
  expect(env.receiver.requests.length).toBe(before);

  const enabled = await tenant.api.updateWebhook(endpoint.id, { enabled: true, recoverSkipped: true });
  expect(enabled.enabled).toBe(true);
  expect(enabled.recoveryId).toMatch(/^rcv_/);
  const done = await completed(tenant.api, enabled.recoveryId!);
  expect(done).toMatchObject({ status: 'completed', statuses: ['skipped'], matched: 3, queued: 3, succeeded: 3 });
  expect(new Set(env.receiver.requests.slice(before).map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set(published));
  expect(await queuedOrder(enabled.recoveryId!)).toEqual(published);
  const redeliveries = (await tenant.api.listDeliveries(endpoint.id, { limit: 100 })).data.filter((d) => d.kind === 'redelivery');
  expect(redeliveries.map((d) => d.status)).toEqual(['success', 'success', 'success']);

  // Enabling an endpoint that is enabled starts nothing.
  expect((await tenant.api.updateWebhook(endpoint.id, { enabled: true, recoverSkipped: true })).recoveryId).toBeUndefined();
});

test('bad recover requests are 400s naming the field; another tenant’s endpoint or recovery is a 404; a disabled endpoint is a 409', async () => {
  const a = await env.stack.newTenant();
  const b = await env.stack.newTenant();
  const endpoint = await a.api.createWebhook({ url: env.receiver.url });
  const since = new Date().toISOString();
  await expectError(a.api.request('POST', `/v1/webhooks/${endpoint.id}/recover`, {}), 400, /since/);
  await expectError(a.api.recoverWebhook(endpoint.id, { since: 'yesterday' }), 400, /since/);
  await expectError(a.api.recoverWebhook(endpoint.id, { since: '2026-13-45T00:00:00Z' }), 400, /since/);
  // Not rolled over into March, not read in the server's zone, not before 1970.
  for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T00:00:00', '0001-01-01T00:00:00Z', '2026-01-01T24:00:00+01:00']) {
    await expectError(a.api.recoverWebhook(endpoint.id, { since: bad }), 400, /since/);
  }
  // The same range written in another zone is the same recovery.
  const z = await a.api.recoverWebhook(endpoint.id, { since: '2026-01-01T00:00:00Z' });
  expect(await a.api.recoverWebhook(endpoint.id, { since: '2026-01-01T01:00:00+01:00' })).toEqual(z);
  await expectError(a.api.recoverWebhook(endpoint.id, { since, until: '2020-01-01T00:00:00Z' }), 400, /until/);
  await expectError(a.api.request('POST', `/v1/webhooks/${endpoint.id}/recover`, { since, statuses: ['success'] }), 400, /statuses/);
  await expectError(a.api.request('POST', `/v1/webhooks/${endpoint.id}/recover`, { since, extra: 1 }), 400);
  await expectError(a.api.updateWebhook(endpoint.id, { recoverSkipped: true }), 400, /recoverSkipped/);
  await expectError(b.api.recoverWebhook(endpoint.id, { since }), 404);
  const { recoveryId } = await a.api.recoverWebhook(endpoint.id, { since });
  await expectError(b.api.getRecovery(recoveryId), 404);
  await expectError(a.api.getRecovery('rcv_unknown'), 404);
  await a.api.updateWebhook(endpoint.id, { enabled: false });
  await expectError(a.api.recoverWebhook(endpoint.id, { since, until: since }), 409, /disabled/);
});

test('the same request after the purge removed the finished recovery runs it again, to completion', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  const since = new Date(Date.now() - 1_000).toISOString();
  const { id: eventId } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(async () => (await tenant.api.searchDeliveries({ eventId })).data[0]?.status === 'success', { what: 'the first send' });
  await env.stack.sql`update deliveries set status = 'failed' where tenant_id = ${tenant.id}`; // as if it had failed
  const until = new Date().toISOString();
  const { recoveryId } = await tenant.api.recoverWebhook(endpoint.id, { since, until });
  await completed(tenant.api, recoveryId);
  await env.stack.sql`delete from recoveries where id = ${recoveryId}`; // what the purge does once it is old

  const again = await tenant.api.recoverWebhook(endpoint.id, { since, until });
  expect(again.recoveryId).toBe(recoveryId);
  expect(await completed(tenant.api, recoveryId)).toMatchObject({ status: 'completed', matched: 1 });
});
