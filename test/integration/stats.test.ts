import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Delivery, HooklineClient } from '../../api/client';
import { rollupRanges, statsSummary } from '../../db/queries/stats';
import { withTenant } from '../../db/sql';
import { resolveStatsRange } from '../../domain/stats-range';
import { createLogger } from '../../infra/logger';
import { createPurgeBatch } from '../../temporal/activities/purge';
import type { ActivityDeps } from '../../temporal/activities';
import type { PurgePosition } from '../../temporal/workflows/types';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { expectError } from '../harness/expect-error';
import { foldTenant } from '../harness/fold-tenant';

let stack: Stack;
let receiver: Server;
let url: string;

// The receiver answers each event with the status its payload asks for, whatever order the sends come in.
beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,300ms' });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { answer?: number } }).data.answer ?? 200;
      setTimeout(() => res.writeHead(answer).end(), 20);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

/** Three 2xx, two 5xx (retried, then failed after 4 attempts) and one 4xx (final at once); a disabled endpoint logs each as skipped. */
async function knownMix() {
  const tenant = await stack.newTenant('stats');
  const endpoint = await tenant.api.createWebhook({ url, events: ['card.viewed'] });
  const off = await tenant.api.createWebhook({ url, events: ['card.viewed'] });
  await tenant.api.updateWebhook(off.id, { enabled: false });
  for (const answer of [200, 204, 200, 500, 503, 400]) await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { answer } });
  await waitFor(async () => (await tenant.api.searchDeliveries({ endpointId: endpoint.id, status: 'pending' })).data.length === 0 && true, {
    what: 'every delivery to finish', timeoutMs: 60_000,
  });
  return { tenant, endpoint, off };
}

async function deliveryLog(api: HooklineClient, q: { endpointId?: string; since: string; until: string }): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.searchDeliveries({ ...q, limit: 100, cursor });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

const tally = (rows: Delivery[]) => ({
  success: rows.filter((d) => d.status === 'success').length,
  failed: rows.filter((d) => d.status === 'failed').length,
  skipped: rows.filter((d) => d.status === 'skipped').length,
  pending: rows.filter((d) => d.status === 'pending').length,
  attempts: rows.reduce((n, d) => n + d.attemptCount, 0),
});

test('an endpoint’s totals, series and success rate agree exactly with its delivery log for the same range', async () => {
  const { tenant, endpoint } = await knownMix();
  const stats = await tenant.api.webhookStats(endpoint.id, { bucket: 'minute', since: new Date(Date.now() - 30 * 60_000).toISOString() });
  expect(stats.totals).toEqual({ success: 3, failed: 3, skipped: 0, pending: 0, attempts: 3 + 2 * 4 + 1, successRate: 0.5 });
  const log = await deliveryLog(tenant.api, { endpointId: endpoint.id, since: stats.since, until: stats.until });
  expect(tally(log)).toEqual({ success: 3, failed: 3, skipped: 0, pending: 0, attempts: 12 });
  // Whole minutes, one point each, and the points add up to the totals.
  expect(stats.since).toMatch(/:00\.000Z$/);
  expect(stats.series).toHaveLength((new Date(stats.until).getTime() - new Date(stats.since).getTime()) / 60_000);
  const sum = (k: 'success' | 'failed' | 'attempts') => stats.series.reduce((n, p) => n + p[k], 0);
  expect([sum('success'), sum('failed'), sum('attempts')]).toEqual([3, 3, 12]);
  expect(stats.latencyMs.p50).toBeGreaterThan(0);
  expect(stats.latencyMs.p95!).toBeGreaterThanOrEqual(stats.latencyMs.p50!);
  // A range that ends before anything happened counts nothing, and says so with a null rate.
  const before = await tenant.api.webhookStats(endpoint.id, { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' });
  expect(before.totals).toEqual({ success: 0, failed: 0, skipped: 0, pending: 0, attempts: 0, successRate: null });
  expect(before.series).toHaveLength(24);
});

test('the tenant’s statistics count every endpoint, skipped deliveries included, and the admin reads them with tenantId', async () => {
  const { tenant, endpoint, off } = await knownMix();
  const stats = await tenant.api.tenantStats();
  expect(stats.bucket).toBe('hour');
  expect(new Date(stats.until).getTime() - new Date(stats.since).getTime()).toBe(24 * 3_600_000);
  expect(stats.totals).toEqual({ success: 3, failed: 3, skipped: 6, pending: 0, attempts: 12, successRate: 0.5 });
  expect(tally(await deliveryLog(tenant.api, { since: stats.since, until: stats.until }))).toEqual({ success: 3, failed: 3, skipped: 6, pending: 0, attempts: 12 });
  const mine = stats.byEndpoint.find((e) => e.endpointId === endpoint.id)!;
  expect(mine).toMatchObject({ success: 3, failed: 3, successRate: 0.5 });
  expect(mine.lastSuccessAt).not.toBeNull();
  expect(mine.lastFailureAt).not.toBeNull();
  expect(stats.byEndpoint.find((e) => e.endpointId === off.id)).toMatchObject({ success: 0, failed: 0, successRate: null });
  const asAdmin = await stack.admin.tenantStats({ tenantId: tenant.id, since: stats.since, until: stats.until });
  expect(asAdmin.totals).toEqual(stats.totals);
  expect((await stack.admin.webhookStats(endpoint.id, { tenantId: tenant.id })).totals.failed).toBe(3);
  // Another tenant sees none of it.
  const other = await stack.newTenant('other');
  expect((await other.api.tenantStats()).totals.success).toBe(0);
  await expectError(other.api.webhookStats(endpoint.id), 404);
});

test('a range with ragged ends over several hours and a whole day reads each part from the coarsest level and agrees exactly with the minutes and the delivery log', async () => {
  const { tenant, endpoint } = await knownMix();
  const { sql } = stack;
  // The twelve deliveries around a whole UTC day d (minutes after it): in the hour of since but before
  // it, the ragged minutes, whole hours before d, the day itself, whole hours after it, the ragged tail,
  // at until, and after it in the hour of until.
  const d = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
  const offsets = [-175, -163, -150, -100, -1, 0, 700, 1439, 1440, 1565, 1573, 1590];
  await sql`
    update deliveries x set created_at = to_timestamp(${d / 1000}) + make_interval(mins => (${offsets}::int[])[o.n]) + interval '20 seconds'
    from (select id, row_number() over (order by seq) as n from deliveries where tenant_id = ${tenant.id}) o
    where x.id = o.id`;
  // Each hour and day row is the sum of its minutes, column by column.
  for (const [table, unit] of [['delivery_stats_hourly', 'hour'], ['delivery_stats_daily', 'day']] as const) {
    const [drift] = await sql<{ n: number }[]>`
      select count(*)::int as n from (
        select endpoint_id, date_trunc(${unit}, minute, 'UTC'), sum(pending)::int, sum(success)::int, sum(failed)::int,
               sum(skipped)::int, sum(attempts)::int, max(last_success_at), max(last_failure_at)
        from delivery_stats where tenant_id = ${tenant.id} group by 1, 2
        except
        select endpoint_id, ${sql(unit)}, pending, success, failed, skipped, attempts, last_success_at, last_failure_at
        from ${sql(table)} where tenant_id = ${tenant.id}
      ) x`;
    expect({ table, drift: drift!.n }).toEqual({ table, drift: 0 });
  }

  const since = new Date(d - 163 * 60_000).toISOString();
  const until = new Date(d + 1573 * 60_000).toISOString();
  const inRange = offsets.filter((m) => m >= -163 && m < 1573).length;
  const log = await deliveryLog(tenant.api, { since, until });
  expect(log).toHaveLength(inRange);
  for (const bucket of ['hour', 'day'] as const) {
    const stats = await tenant.api.tenantStats({ since, until, bucket });
    expect(stats.totals).toEqual({ ...tally(log), successRate: expect.any(Number) as number });
    const mine = await tenant.api.webhookStats(endpoint.id, { since, until, bucket });
    expect(mine.totals).toMatchObject(tally(await deliveryLog(tenant.api, { endpointId: endpoint.id, since, until })));
  }
  // The same range, answered from minute rows only, is the same answer to the last figure.
  for (const bucket of ['hour', 'day'] as const) {
    const range = resolveStatsRange({ since: new Date(since), until: new Date(until), bucket }, new Date());
    expect(rollupRanges(range).hour[0][0] < rollupRanges(range).hour[0][1]).toBe(true);
    expect(rollupRanges(range).day[0][0] < rollupRanges(range).day[0][1]).toBe(bucket === 'day');
    for (const scope of [{ tenantId: tenant.id }, { tenantId: tenant.id, endpointId: endpoint.id }]) {
      const read = (minutesOnly: boolean) => withTenant(sql, tenant.id, (tx) => statsSummary(tx, scope, range, { byEndpoint: !scope.endpointId, minutesOnly }));
      const [levels, minutes] = [await read(false), await read(true)];
      expect(levels).toEqual(minutes);
      expect(levels.totals.success + levels.totals.failed + levels.totals.skipped + levels.totals.pending).toBeGreaterThan(0);
    }
  }
});

test('the hourly and daily levels have the minute level’s row-level security, policies and grants: tenants read and purge their own rows, only the triggers write', async () => {
  const access = async (table: string) => ({
    rls: (await stack.sql<{ on: boolean; forced: boolean }[]>`select relrowsecurity as on, relforcerowsecurity as forced from pg_class where relname = ${table}`)[0],
    policies: await stack.sql`select policyname, roles::text[], cmd, qual, with_check from pg_policies where tablename = ${table} order by 1`,
    grants: await stack.sql`select grantee, privilege_type from information_schema.role_table_grants where table_name = ${table} and grantee like 'hookline%' order by 1, 2`,
  });
  const minutes = await access('delivery_stats');
  expect(minutes.rls).toEqual({ on: true, forced: true });
  expect(await access('delivery_stats_hourly')).toEqual(minutes);
  expect(await access('delivery_stats_daily')).toEqual(minutes);
});

test('bad ranges are a 400 naming the field', async () => {
  const tenant = await stack.newTenant('stats-bad');
  const endpoint = await tenant.api.createWebhook({ url });
  await expectError(tenant.api.tenantStats({ since: '2026-11-02T00:00:00Z', until: '2026-11-01T00:00:00Z' }), 400, /invalid_request: until: /);
  await expectError(tenant.api.tenantStats({ since: 'yesterday' }), 400, /invalid_request: since: /);
  await expectError(tenant.api.webhookStats(endpoint.id, { bucket: 'week' as 'day' }), 400, /invalid_request: bucket: /);
  await expectError(tenant.api.webhookStats(endpoint.id, { bucket: 'minute', since: '2026-11-01T00:00:00Z', until: '2026-11-08T00:00:00Z' }), 400, /invalid_request: bucket: /);
  await expectError(tenant.api.tenantStats({ tenantId: tenant.id }), 400, /invalid_request: tenantId: /);
  await expectError(stack.admin.tenantStats(), 400, /invalid_request: tenantId: /);
  await expectError(tenant.api.webhookStats('ep_missing'), 404);
});

test('the admin sees the deployment: backlog, the last hour by status, the failing endpoints', async () => {
  const { tenant, endpoint } = await knownMix();
  const stats = await stack.admin.adminStats();
  expect(stats.outbox.rows).toBeGreaterThanOrEqual(0);
  expect(stats.pending.deliveries).toBeGreaterThanOrEqual(0);
  expect(stats.throughput).toHaveLength(60);
  const hour = stats.throughput.reduce((n, p) => ({ success: n.success + p.success, failed: n.failed + p.failed }), { success: 0, failed: 0 });
  expect(hour.success).toBeGreaterThanOrEqual(3);
  expect(hour.failed).toBeGreaterThanOrEqual(3);
  expect(stats.failingEndpoints.find((e) => e.id === endpoint.id)).toMatchObject({ tenantId: tenant.id, failed: 3, success: 3, successRate: 0.5 });
  await expectError(tenant.api.adminStats(), 401);
});

test('the retention purge removes the rollup past retention, and deleting an endpoint removes its rows', async () => {
  const { tenant, endpoint, off } = await knownMix();
  const { sql } = stack;
  // 40 days ago, as if time had passed: the rollup follows its deliveries to their new minute.
  await sql`update deliveries set created_at = now() - interval '40 days' where tenant_id = ${tenant.id}`;
  const old = { since: new Date(Date.now() - 41 * 86_400_000).toISOString(), until: new Date(Date.now() - 39 * 86_400_000).toISOString() };
  expect((await tenant.api.tenantStats(old)).totals).toMatchObject({ success: 3, failed: 3, skipped: 6 });
  expect((await tenant.api.tenantStats()).totals).toMatchObject({ success: 0, failed: 0, skipped: 0 });
  const rows = async (olderThanDays = 0) =>
    (await sql<{ n: number }[]>`
      select (select count(*) from delivery_stats where tenant_id = ${tenant.id} and minute < now() - make_interval(days => ${olderThanDays}))::int +
             (select count(*) from delivery_stats_hourly where tenant_id = ${tenant.id} and hour < now() - make_interval(days => ${olderThanDays}))::int +
             (select count(*) from delivery_stats_daily where tenant_id = ${tenant.id} and day < now() - make_interval(days => ${olderThanDays}))::int as n`)[0]!.n;
  // The rows are counted as folded (reads add the changes not folded yet; the purge deletes rows).
  await foldTenant(sql, tenant.id);
  expect(await rows(30)).toBeGreaterThan(0);

  await stack.admin.setTenantRetention(tenant.id, 30);
  const purgeBatch = createPurgeBatch({ sql, config: stack.config, log: createLogger('silent', 'test') } as unknown as ActivityDeps);
  let position: PurgePosition | null = { tenantId: tenant.id, pastIt: false };
  while (position && position.tenantId <= tenant.id) position = (await purgeBatch(position)).next;
  expect(await rows(30)).toBe(0);
  expect((await tenant.api.tenantStats(old)).totals).toMatchObject({ success: 0, failed: 0, skipped: 0 });

  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { answer: 200 } });
  await waitFor(async () => (await tenant.api.webhookStats(endpoint.id)).totals.success === 1, { what: 'a new success counted' });
  await tenant.api.deleteWebhook(endpoint.id);
  await tenant.api.deleteWebhook(off.id);
  expect(await rows()).toBe(0);
});
