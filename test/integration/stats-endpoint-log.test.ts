import { foldStats, statsSummary } from '../../db/queries/stats';
import { createSql, withTenant, type Tx } from '../../db/sql';
import { resolveStatsRange } from '../../domain/stats-range';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { foldTenant } from '../harness/fold-tenant';

// An endpoint's statistics (migrations/025): the triggers append each statement's changes to a log, and
// folds move them into the endpoint's minute, hour and day rows. Writers of one endpoint must not queue
// on its rows, and its figures must be exact whether a change is folded or not.

let stack: Stack;
beforeAll(async () => {
  // No worker: these tests fold themselves (another suite's workers may fold too, which changes no answer).
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

async function endpointWithEvents(events: number) {
  const { sql } = stack;
  const tenant = await stack.newTenant('epstats');
  const endpointId = `${tenant.id}_ep`;
  await sql`insert into endpoints (id, tenant_id, url, event_types) values (${endpointId}, ${tenant.id}, 'https://example.com/hook', '{*}')`;
  await sql`insert into events (tenant_id, id, type, data, created_at)
    select ${tenant.id}, 'evt_' || n, 't', '{}', now() - interval '2 days' - make_interval(mins => n * 7) from generate_series(1, ${events}) n`;
  return { tenantId: tenant.id, endpointId };
}

const insertDelivery = (tx: Tx, tenantId: string, endpointId: string, n: number) => tx`
  insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, created_at, updated_at)
  values (${`dlv_${tenantId}_${n}`}, ${tenantId}, ${endpointId}, ${`evt_${n}`}, 't', 'event', 'pending', 0, date_trunc('minute', now()), now())`;

test('two transactions writing deliveries and attempts of one endpoint in the same minute do not wait on each other', async () => {
  const { tenantId, endpointId } = await endpointWithEvents(2);
  const first = createSql(stack.config.databaseUrl, { max: 1 });
  const second = createSql(stack.config.databaseUrl, { max: 1 });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    // The first publish stays open, holding whatever its statistics took.
    const open = withTenant(first, tenantId, async (tx) => {
      await insertDelivery(tx, tenantId, endpointId, 1);
      inside();
      await held;
    });
    await entered;
    // The second, with a lock timeout: it would fail with 55P03 if it queued on the first.
    try {
      await withTenant(second, tenantId, async (tx) => {
        await tx`set local lock_timeout = '2s'`;
        await insertDelivery(tx, tenantId, endpointId, 2);
        await tx`update deliveries set status = 'success', attempt_count = 1, last_attempt_at = now() where tenant_id = ${tenantId} and id = ${`dlv_${tenantId}_2`}`;
        await tx`insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status) values (${`dlv_${tenantId}_2`}, ${tenantId}, 1, now(), 42, 200)`;
      });
    } finally {
      release();
      await open;
    }
  } finally {
    await Promise.all([first.end({ timeout: 5 }), second.end({ timeout: 5 })]);
  }
  const range = resolveStatsRange({ since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000), bucket: 'minute' }, new Date(Date.now() + 60_000));
  const totals = (await withTenant(stack.sql, tenantId, (tx) => statsSummary(tx, { tenantId, endpointId }, range))).totals;
  expect(totals).toMatchObject({ pending: 1, success: 1, attempts: 1 });
});

test('an endpoint’s figures are the same answer before the fold, half folded and after it; its levels then agree with its deliveries', async () => {
  const { sql } = stack;
  const { tenantId, endpointId } = await endpointWithEvents(40);
  await sql`
    insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, last_attempt_at, created_at, updated_at)
    select 'dlv_' || ${tenantId} || e.id, ${tenantId}, ${endpointId}, e.id, 't', 'event', case when right(e.id, 1) in ('1', '2') then 'failed' else 'success' end,
           1 + length(e.id) % 3, e.created_at, e.created_at, e.created_at
    from events e where e.tenant_id = ${tenantId}`;
  await sql`
    insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status)
    select d.id, d.tenant_id, a, d.created_at, 5 + (a * 53 + length(d.id) * 17) % 2000, 200
    from deliveries d cross join generate_series(1, d.attempt_count) a where d.tenant_id = ${tenantId}`;
  // Some go again: a status change and a deletion are changes too.
  await sql`update deliveries set status = 'pending' where tenant_id = ${tenantId} and id in (${`dlv_${tenantId}evt_3`}, ${`dlv_${tenantId}evt_4`})`;
  await sql`delete from deliveries where tenant_id = ${tenantId} and id in (${`dlv_${tenantId}evt_5`}, ${`dlv_${tenantId}evt_6`})`;

  // By the minute over the events' five hours; by the hour and by the day over two days around them (a whole day read from the day level).
  const twoDaysAgo = Date.now() - 2 * 86_400_000;
  const ranges = [
    resolveStatsRange({ since: new Date(twoDaysAgo - 300 * 60_000), until: new Date(twoDaysAgo + 17 * 60_000), bucket: 'minute' }, new Date()),
    ...(['hour', 'day'] as const).map((bucket) =>
      resolveStatsRange({ since: new Date(Date.now() - 3 * 86_400_000 - 7 * 60_000), until: new Date(Date.now() - 86_400_000 - 17 * 60_000), bucket }, new Date()),
    ),
  ];
  const read = () => Promise.all(ranges.map((r) => withTenant(sql, tenantId, (tx) => statsSummary(tx, { tenantId, endpointId }, r))));
  const unfolded = await read();
  expect(unfolded[0]!.totals).toMatchObject({ pending: 2, success: 28, failed: 8, skipped: 0 });
  for (const wider of unfolded.slice(1)) expect([wider.totals, wider.latency]).toEqual([unfolded[0]!.totals, unfolded[0]!.latency]);
  expect(unfolded[0]!.latency.reduce((a, b) => a + b, 0)).toBeGreaterThan(38);
  await foldStats(sql, 5);
  expect(await read()).toEqual(unfolded);
  await foldTenant(sql, tenantId);
  expect(await read()).toEqual(unfolded);
  const [left] = await sql<{ n: number }[]>`select count(*)::int as n from delivery_stats_changes where tenant_id = ${tenantId}`;
  expect(left!.n).toBe(0);
  // Each hour and day row is the sum of its minutes, and the minutes are the deliveries.
  for (const [table, unit] of [['delivery_stats_hourly', 'hour'], ['delivery_stats_daily', 'day']] as const) {
    const [diff] = await sql<{ n: number }[]>`
      select count(*)::int as n from (
        select date_trunc(${unit}, minute, 'UTC') as at, sum(pending)::int, sum(success)::int, sum(failed)::int, sum(attempts)::int
        from delivery_stats where endpoint_id = ${endpointId} group by 1
        except all
        select ${sql(unit)}, pending, success, failed, attempts from ${sql(table)} where endpoint_id = ${endpointId}
      ) x`;
    expect(diff!.n).toBe(0);
  }
  const [counted] = await sql<{ rows: number; deliveries: number }[]>`
    select (select sum(pending + success + failed + skipped) from delivery_stats where endpoint_id = ${endpointId})::int as rows,
           (select count(*) from deliveries where endpoint_id = ${endpointId})::int as deliveries`;
  expect(counted!.rows).toBe(counted!.deliveries);
});

test('the changes of an endpoint deleted before they are folded are dropped by the fold', async () => {
  const { sql } = stack;
  const { tenantId, endpointId } = await endpointWithEvents(3);
  await sql`
    insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, created_at, updated_at)
    select 'dlv_' || ${tenantId} || e.id, ${tenantId}, ${endpointId}, e.id, 't', 'event', 'success', 1, e.created_at, e.created_at
    from events e where e.tenant_id = ${tenantId}`;
  await sql`delete from endpoints where tenant_id = ${tenantId} and id = ${endpointId}`;
  await foldTenant(sql, tenantId);
  const [row] = await sql<{ changes: number; rows: number }[]>`
    select (select count(*) from delivery_stats_changes where endpoint_id = ${endpointId})::int as changes,
           (select count(*) from delivery_stats where endpoint_id = ${endpointId})::int as rows`;
  expect(row).toEqual({ changes: 0, rows: 0 });
});

test('the endpoint change log is the tenant’s alone, and only the triggers and the fold write it', async () => {
  const { tenantId, endpointId } = await endpointWithEvents(1);
  const other = await stack.newTenant('epstats-other');
  await stack.sql`
    insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, created_at, updated_at)
    values (${`dlv_${tenantId}_1`}, ${tenantId}, ${endpointId}, 'evt_1', 't', 'event', 'pending', 0, now(), now())`;
  const app = createSql(stack.config.databaseUrl, { max: 1 });
  try {
    const seen = (id: string) => withTenant(app, id, async (tx) => (await tx<{ n: number }[]>`select count(*)::int as n from delivery_stats_changes`)[0]!.n);
    expect(await seen(tenantId)).toBeGreaterThan(0);
    expect(await seen(other.id)).toBe(0);
    await expect(
      withTenant(app, tenantId, (tx) => tx`insert into delivery_stats_changes (tenant_id, endpoint_id, minute, success) values (${tenantId}, ${endpointId}, now(), 5)`),
    ).rejects.toThrow(/permission denied/);
    await expect(withTenant(app, tenantId, (tx) => tx`delete from delivery_stats_changes`)).rejects.toThrow(/permission denied/);
  } finally {
    await app.end({ timeout: 5 });
  }
});
