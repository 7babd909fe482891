import { createLogger } from '../../infra/logger';
import { createPurgeBatch } from '../../temporal/activities/purge';
import type { ActivityDeps } from '../../temporal/activities';
import { ensurePurgeSchedule, purgeScheduleId } from '../../temporal/schedules';
import { purgeWorkflow } from '../../temporal/workflows';
import type { PurgePosition } from '../../temporal/workflows/types';
import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

// Batches of 2 rows: the purge below needs several, and continues within one tenant.
const env = useStackAndReceiver({ HOOKLINE_PURGE_BATCH: '2' });
const log = createLogger('silent', 'test');

afterAll(async () => {
  await env.stack?.client.schedule.getHandle(purgeScheduleId(env.stack.config.temporal.taskQueue)).delete().catch(() => {});
});

/** Moves an event, its deliveries and their attempts `days` into the past, as if time had passed. */
async function age(tenantId: string, eventId: string, days: number) {
  const { sql } = env.stack;
  const at = sql`now() - make_interval(days => ${days})`;
  await sql`update events set created_at = ${at} where tenant_id = ${tenantId} and id = ${eventId}`;
  await sql`update attempts set started_at = ${at} where delivery_id in (select id from deliveries where tenant_id = ${tenantId} and event_id = ${eventId})`;
  await sql`update deliveries set created_at = ${at}, updated_at = ${at} where tenant_id = ${tenantId} and event_id = ${eventId}`;
}

async function tenantWithEvents(prefix: string, events: string[]) {
  const tenant = await env.stack.newTenant(prefix);
  await tenant.api.createWebhook({ url: env.receiver.url });
  for (const id of events) await env.stack.admin.publish({ tenantId: tenant.id, id, type: 'card.viewed', data: { id } });
  await waitFor(async () => (await tenant.api.searchDeliveries({ status: 'success', limit: 100 })).data.length === events.length, { what: `${prefix}: all sent` });
  return tenant;
}

const attemptsOf = async (tenantId: string, eventId: string) =>
  (await env.stack.sql<{ n: number }[]>`
    select count(*)::int as n from attempts a join deliveries d on d.id = a.delivery_id where d.tenant_id = ${tenantId} and d.event_id = ${eventId}`)[0]!.n;

async function purgeAll(days: number) {
  const purgeBatch = createPurgeBatch({ sql: env.stack.sql, config: { ...env.stack.config, retention: { ...env.stack.config.retention, days } }, log } as unknown as ActivityDeps);
  const touched = new Set<string>();
  let position: PurgePosition | null = { tenantId: '', pastIt: false };
  while (position) {
    const batch = await purgeBatch(position);
    if (batch.tenantId && batch.deliveries + batch.events > 0) touched.add(batch.tenantId);
    position = batch.next;
  }
  return touched;
}

test('the purge deletes expired rows in batches, keeps pending and newer ones, and follows each tenant’s retention', async () => {
  const a = await tenantWithEvents('ra', ['old-1', 'old-2', 'old-3', 'old-pending', 'old-redelivered', 'two-days', 'fresh']);
  const forever = await tenantWithEvents('rb', ['old']);
  const short = await tenantWithEvents('rc', ['two-days']);
  expect((await env.stack.admin.setTenantRetention(forever.id, 0)).effectiveRetentionDays).toBe(0);
  expect(await env.stack.admin.setTenantRetention(short.id, 1)).toMatchObject({ retentionDays: 1, effectiveRetentionDays: 1 });

  // A delivery of an old event still running (its workflow retrying): its rows must stay.
  const [pending] = (await a.api.searchDeliveries({ eventId: 'old-pending' })).data;
  await env.stack.sql`update deliveries set status = 'pending' where id = ${pending!.id}`;
  // An old event redelivered today: the old delivery goes, the new one and the event stay.
  const [original] = (await a.api.searchDeliveries({ eventId: 'old-redelivered' })).data;
  for (const id of ['old-1', 'old-2', 'old-3', 'old-pending', 'old-redelivered']) await age(a.id, id, 40);
  const { deliveryId: redelivery } = await a.api.redeliver(original!.id);
  await waitFor(async () => (await a.api.searchDeliveries({ kind: 'redelivery', status: 'success' })).data.length === 1, { what: 'the redelivery sent' });
  await age(a.id, 'two-days', 2);
  await age(forever.id, 'old', 400);
  await age(short.id, 'two-days', 2);
  expect(await attemptsOf(a.id, 'old-1')).toBe(1);

  // HOOKLINE_RETENTION_DAYS=0 keeps forever: only the tenant with its own retention is purged.
  expect([...(await purgeAll(0))]).toEqual([short.id]);
  await expect(short.api.getEvent('two-days')).rejects.toMatchObject({ status: 404 });
  expect((await a.api.getEvent('old-1')).deliveries).toHaveLength(1);

  const totals = await env.stack.client.workflow.execute(purgeWorkflow, {
    workflowId: `purge-test-${a.id}`,
    taskQueue: env.stack.config.temporal.taskQueue,
    args: [{}],
  });
  // 4 expired deliveries of tenant a at 2 a batch, then its 3 expired events with none left.
  expect(totals.deliveries).toBeGreaterThanOrEqual(4);
  expect(totals.batches).toBeGreaterThanOrEqual(3);

  for (const id of ['old-1', 'old-2', 'old-3']) {
    await expect(a.api.getEvent(id)).rejects.toMatchObject({ status: 404 });
    expect(await attemptsOf(a.id, id)).toBe(0);
  }
  expect((await a.api.getEvent('old-pending')).deliveries.map((d) => [d.id, d.status])).toEqual([[pending!.id, 'pending']]);
  expect((await a.api.getEvent('old-redelivered')).deliveries.map((d) => d.id)).toEqual([redelivery]);
  expect((await a.api.getEvent('two-days')).deliveries).toHaveLength(1);
  expect((await a.api.getEvent('fresh')).deliveries).toHaveLength(1);
  expect((await forever.api.getEvent('old')).deliveries).toHaveLength(1);
  expect((await a.api.listEvents()).data.map((e) => e.id).sort()).toEqual(['fresh', 'old-pending', 'old-redelivered', 'two-days']);

  // Run again: nothing left to delete for these tenants, and nothing newer is touched.
  expect(await purgeAll(30)).toEqual(new Set());
});

test('a tenant’s retention is set by the admin only, within its range', async () => {
  const tenant = await env.stack.newTenant('rr');
  expect(await env.stack.admin.setTenantRetention(tenant.id, 7)).toMatchObject({ id: tenant.id, retentionDays: 7, effectiveRetentionDays: 7 });
  expect(await env.stack.admin.setTenantRetention(tenant.id, null)).toMatchObject({ retentionDays: null, effectiveRetentionDays: 30 });
  for (const [body, message] of [
    [{ retentionDays: -1 }, /retentionDays: /],
    [{ retentionDays: 1.5 }, /retentionDays: /],
    [{ retentionDays: 36_501 }, /retentionDays: /],
    [{ retentionDays: '7' }, /retentionDays: /],
    [{}, /retentionDays: /],
    [{ retentionDays: 1, name: 'x' }, /name: unknown field/],
  ] as const) {
    await expect(env.stack.admin.request('PATCH', `/v1/tenants/${tenant.id}`, body)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(message) });
  }
  await expect(env.stack.admin.setTenantRetention('no-such-tenant', 1)).rejects.toMatchObject({ status: 404 });
  await expect(tenant.api.setTenantRetention(tenant.id, 1)).rejects.toMatchObject({ status: 401 });
});

test('the purge schedule exists once the worker has started, and starting again (or at once) changes nothing', async () => {
  const { client, config } = env.stack;
  const handle = client.schedule.getHandle(purgeScheduleId(config.temporal.taskQueue));
  const described = await handle.describe();
  // The test stacks' interval (tools/testkit/stack.ts); HOOKLINE_PURGE_INTERVAL's default is 1h.
  expect(described.spec.intervals?.map((i) => i.every)).toEqual([3650 * 86_400_000]);
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'purgeWorkflow', taskQueue: config.temporal.taskQueue });
  expect(described.policies.overlap).toBe('SKIP');

  await env.stack.stopWorker();
  await env.stack.startWorker();
  const again = await Promise.all([1, 2, 3].map(() => ensurePurgeSchedule(client, config, log)));
  expect(again).toEqual(['unchanged', 'unchanged', 'unchanged']);

  // A new interval in the config updates the schedule on the next start.
  const twoHours = { ...config, retention: { ...config.retention, purgeIntervalMs: 7_200_000 } };
  expect(await ensurePurgeSchedule(client, twoHours, log)).toBe('updated');
  expect((await handle.describe()).spec.intervals?.map((i) => i.every)).toEqual([7_200_000]);
  expect(await ensurePurgeSchedule(client, twoHours, log)).toBe('unchanged');
});

test('the purge deletes a finished recovery’s progress once it is older than the retention, never a running one', async () => {
  const tenant = await tenantWithEvents('rr', ['e1']);
  const [endpoint] = (await tenant.api.listWebhooks()).data;
  const since = new Date(Date.now() - 60_000).toISOString();
  const { recoveryId: finished } = await tenant.api.recoverWebhook(endpoint!.id, { since });
  await waitFor(async () => (await tenant.api.getRecovery(finished)).status === 'completed', { what: 'the recovery finished' });
  const { recoveryId: recent } = await tenant.api.recoverWebhook(endpoint!.id, { since }, { idempotencyKey: 'recent' });
  await waitFor(async () => (await tenant.api.getRecovery(recent)).status === 'completed', { what: 'the second recovery finished' });
  const { recoveryId: running } = await tenant.api.recoverWebhook(endpoint!.id, { since }, { idempotencyKey: 'running' });
  await waitFor(async () => (await tenant.api.getRecovery(running)).status === 'completed', { what: 'the third recovery finished' });
  const { sql } = env.stack;
  await sql`update recoveries set completed_at = now() - interval '40 days' where id in ${sql([finished, running])}`;
  await sql`update recoveries set status = 'running', completed_at = null where id = ${running}`; // as if its workflow were still going

  await purgeAll(30);
  await expect(tenant.api.getRecovery(finished)).rejects.toMatchObject({ status: 404 });
  expect((await tenant.api.getRecovery(recent)).status).toBe('completed');
  expect((await tenant.api.getRecovery(running)).status).toBe('running');
});
