import { foldStats, purgeStats, rollupRanges, statsSummary } from '../../db/queries/stats';
import { withTenant } from '../../db/sql';
import { resolveStatsRange } from '../../domain/stats-range';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { foldTenant } from '../harness/fold-tenant';

// The per-tenant statistics (migrations/023): the triggers append each statement's changes to a log and
// folds move them into rows per tenant and minute, hour and day. These tests write deliveries and
// attempts straight through the triggers, as the record step does, many statements at once, while
// several folds run, and check the per-tenant rows against the endpoints' own rows.

let stack: Stack;
beforeAll(async () => {
  // No worker: these tests fold themselves (another suite's workers may fold too, which changes no answer).
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

const ENDPOINTS = 4;

/**
 * A tenant with ENDPOINTS endpoints and 50 events over 3 hours, ending two days ago: failures that old stay
 * out of the operator's most failing endpoints of the last 24 hours, which other suites check.
 */
async function tenantWithEvents() {
  const { sql } = stack;
  const tenant = await stack.newTenant('tstats');
  const ids = Array.from({ length: ENDPOINTS }, (_, i) => `${tenant.id}_ep_${i}`);
  await sql`insert into endpoints (id, tenant_id, url, event_types) select unnest(${ids}::text[]), ${tenant.id}, 'https://example.com/hook', '{*}'`;
  await sql`insert into events (tenant_id, id, type, data, created_at)
    select ${tenant.id}, 'evt_' || n, 't', '{}', now() - interval '2 days' - make_interval(mins => n * 3) from generate_series(1, 50) n`;
  return { tenant, ids };
}

/** One statement: deliveries of `events` to every endpoint, each with its status, and their attempts in a second statement. */
async function deliver(tenantId: string, tag: string, events: number[], status: string) {
  const { sql } = stack;
  await sql`
    insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, last_attempt_at, created_at, updated_at)
    select 'dlv_' || ${tag} || '_' || e.id || '_' || k, ${tenantId}, ${tenantId} || '_ep_' || k, e.id, 't', 'event', ${status},
           case when ${status} = 'skipped' then 0 else 1 + k % 3 end, e.created_at, e.created_at, e.created_at
    from events e cross join generate_series(0, ${ENDPOINTS - 1}) k
    where e.tenant_id = ${tenantId} and e.id = any(${events.map((n) => `evt_${n}`)}::text[])`;
  await sql`
    insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status)
    select d.id, d.tenant_id, a, d.created_at, 3 + (a * 37 + length(d.id) * 11) % 900, 200
    from deliveries d cross join generate_series(1, d.attempt_count) a
    where d.tenant_id = ${tenantId} and d.id like ${`dlv_${tag}_%`}`;
}

/** Folds until the log is empty. */

/** Rows of the per-tenant table that are not the sums of the endpoints' minute rows at that grain, and the reverse. */
async function drift(tenantId: string) {
  const [row] = await stack.sql<{ missing: number; extra: number; changes: number }[]>`
    with grains as (
      select u.unit, date_trunc(u.unit, s.minute, 'UTC') as at, s.pending, s.success, s.failed, s.skipped, s.attempts, s.latency
      from delivery_stats s cross join (values ('minute'), ('hour'), ('day')) as u(unit) where s.tenant_id = ${tenantId}
    ), latency as (
      select x.unit, x.at, array_agg(x.n order by x.k) as latency
      from (select g.unit, g.at, b.k, sum(b.n)::int as n from grains g cross join lateral unnest(g.latency) with ordinality as b(n, k) group by 1, 2, 3) x
      group by 1, 2
    ), expected as (
      select c.unit, c.at, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(l.latency, '{}') as latency
      from (
        select g.unit, g.at, sum(g.pending)::int as pending, sum(g.success)::int as success, sum(g.failed)::int as failed,
          sum(g.skipped)::int as skipped, sum(g.attempts)::int as attempts
        from grains g group by 1, 2
      ) c left join latency l on l.unit = c.unit and l.at = c.at
    ), actual as (
      select unit, at, pending, success, failed, skipped, attempts, latency from delivery_stats_by_tenant where tenant_id = ${tenantId}
    )
    select (select count(*) from (select * from expected except all select * from actual) x)::int as missing,
           (select count(*) from (select * from actual except all select * from expected) x)::int as extra,
           (select count(*) from delivery_stats_by_tenant_changes where tenant_id = ${tenantId})::int as changes`;
  return row!;
}

test('folds running beside many writing statements move every change once: the tenant’s rows are the sums of its endpoints’ rows at every grain', async () => {
  const { tenant } = await tenantWithEvents();
  const { sql } = stack;
  let writing = true;
  const folders = Array.from({ length: 3 }, async () => {
    let moved = 0;
    while (writing) moved += await foldStats(sql, 7);
    return moved;
  });
  // Inserts, attempts, status changes and deletions, eight statements at a time.
  await Promise.all(Array.from({ length: 8 }, (_, w) => deliver(tenant.id, `w${w}`, Array.from({ length: 6 }, (_, i) => w * 6 + i + 1), w % 3 === 0 ? 'pending' : 'success')));
  await Promise.all([
    sql`update deliveries set status = 'failed' where tenant_id = ${tenant.id} and id like 'dlv_w0_%'`,
    sql`update deliveries set status = 'success', attempt_count = attempt_count + 1 where tenant_id = ${tenant.id} and id like 'dlv_w3_%'`,
    sql`update deliveries set created_at = created_at - interval '2 hours' where tenant_id = ${tenant.id} and id like 'dlv_w1_%'`,
    sql`delete from deliveries where tenant_id = ${tenant.id} and id like 'dlv_w2_%'`,
    deliver(tenant.id, 'late', [49, 50], 'skipped'),
  ]);
  writing = false;
  const moved = (await Promise.all(folders)).reduce((a, b) => a + b, 0);
  expect(moved).toBeGreaterThan(0);
  await foldTenant(stack.sql, tenant.id);
  expect(await drift(tenant.id)).toEqual({ missing: 0, extra: 0, changes: 0 });
  const [counts] = await sql<{ deliveries: number; rolled: number }[]>`
    select (select count(*) from deliveries where tenant_id = ${tenant.id})::int as deliveries,
           (select sum(pending + success + failed + skipped) from delivery_stats_by_tenant where tenant_id = ${tenant.id} and unit = 'day')::int as rolled`;
  expect(counts!.rolled).toBe(counts!.deliveries);
});

test('a tenant’s figures are the same answer before the fold, half folded and after it, and the same as the endpoints’ minutes', async () => {
  const { tenant } = await tenantWithEvents();
  await deliver(tenant.id, 'a', Array.from({ length: 25 }, (_, i) => i + 1), 'success');
  await deliver(tenant.id, 'b', Array.from({ length: 25 }, (_, i) => i + 26), 'failed');
  const range = resolveStatsRange({ since: new Date(Date.now() - 52 * 3_600_000), until: new Date(Date.now() - 47 * 3_600_000 - 60_000), bucket: 'hour' }, new Date());
  expect(rollupRanges(range).hour[0][0] < rollupRanges(range).hour[0][1]).toBe(true);
  const read = () => withTenant(stack.sql, tenant.id, (tx) => statsSummary(tx, { tenantId: tenant.id }, range, { byEndpoint: true }));
  // Each endpoint's own figures, added up: what the tenant's must be.
  const perEndpoint = await Promise.all(
    Array.from({ length: ENDPOINTS }, (_, k) => withTenant(stack.sql, tenant.id, (tx) => statsSummary(tx, { tenantId: tenant.id, endpointId: `${tenant.id}_ep_${k}` }, range))),
  );
  const sum = (pick: (s: (typeof perEndpoint)[number]) => number[]) =>
    perEndpoint.map(pick).reduce((acc, xs) => acc.map((a, i) => a + (xs[i] ?? 0)), new Array<number>(Math.max(...perEndpoint.map((s) => pick(s).length))).fill(0));

  const unfolded = await read();
  expect(unfolded.totals.success + unfolded.totals.failed).toBe(50 * ENDPOINTS);
  expect(unfolded.totals).toEqual({
    pending: 0, skipped: 0,
    success: perEndpoint.reduce((n, s) => n + s.totals.success, 0),
    failed: perEndpoint.reduce((n, s) => n + s.totals.failed, 0),
    attempts: perEndpoint.reduce((n, s) => n + s.totals.attempts, 0),
  });
  expect(unfolded.latency).toEqual(sum((s) => s.latency));
  expect(unfolded.series.map((p) => p.attempts)).toEqual(sum((s) => s.series.map((p) => p.attempts)));
  expect(unfolded.byEndpoint).toHaveLength(ENDPOINTS);
  await foldStats(stack.sql, 3);
  expect(await read()).toEqual(unfolded);
  await foldTenant(stack.sql, tenant.id);
  expect(await read()).toEqual(unfolded);
  expect(await drift(tenant.id)).toEqual({ missing: 0, extra: 0, changes: 0 });
});

test('the per-tenant rows and their change log are the tenant’s alone: row-level security, and only the triggers and the fold write them', async () => {
  const { tenant } = await tenantWithEvents();
  await deliver(tenant.id, 'x', [1, 2, 3], 'success');
  const other = await stack.newTenant('tstats-other');
  const { config } = stack;
  const { createSql } = await import('../../db/sql');
  const app = createSql(config.databaseUrl, { max: 1 });
  try {
    const seen = (tenantId: string) =>
      withTenant(app, tenantId, async (tx) => [
        (await tx<{ n: number }[]>`select count(*)::int as n from delivery_stats_by_tenant_changes`)[0]!.n,
        (await tx<{ n: number }[]>`select count(*)::int as n from delivery_stats_by_tenant`)[0]!.n,
      ]);
    const [changes, rows] = await seen(tenant.id);
    expect(changes! + rows!).toBeGreaterThan(0);
    expect(await seen(other.id)).toEqual([0, 0]);
    await expect(withTenant(app, tenant.id, (tx) => tx`insert into delivery_stats_by_tenant_changes (tenant_id, minute, success) values (${tenant.id}, now(), 5)`)).rejects.toThrow(/permission denied/);
    await expect(withTenant(app, tenant.id, (tx) => tx`update delivery_stats_by_tenant set success = 5`)).rejects.toThrow(/permission denied/);
    // The app's role may fold (a definer function), every tenant's changes.
    await foldTenant(app, tenant.id);
    expect((await seen(tenant.id))[0]).toBe(0);
  } finally {
    await app.end({ timeout: 5 });
  }
});

test('the retention purge removes the per-tenant rows past retention once they count nothing, never a count still to be taken away, and keeps what counts a pending delivery', async () => {
  const { tenant } = await tenantWithEvents();
  const { sql } = stack;
  await deliver(tenant.id, 'old', [1, 2, 3, 4], 'success');
  await deliver(tenant.id, 'waiting', [5], 'pending');
  await sql`update deliveries set created_at = created_at - interval '40 days' where tenant_id = ${tenant.id}`;
  await foldTenant(stack.sql, tenant.id);
  const range = resolveStatsRange({ since: new Date(Date.now() - 43 * 86_400_000), until: new Date(Date.now() - 41 * 86_400_000), bucket: 'hour' }, new Date());
  const totals = async () => (await withTenant(sql, tenant.id, (tx) => statsSummary(tx, { tenantId: tenant.id }, range))).totals;
  expect(await totals()).toMatchObject({ success: 4 * ENDPOINTS, pending: ENDPOINTS });
  const purge = async () => {
    while ((await withTenant(sql, tenant.id, (tx) => purgeStats(tx, tenant.id, 30, 2))) > 0);
  };
  // The deliveries go (their decrements wait in the log), and the purge runs before any fold.
  await sql`delete from deliveries where tenant_id = ${tenant.id} and status = 'success'`;
  await purge();
  expect(await totals()).toMatchObject({ success: 0, failed: 0, skipped: 0, pending: ENDPOINTS });
  await foldTenant(stack.sql, tenant.id);
  await purge();
  expect(await totals()).toMatchObject({ success: 0, failed: 0, skipped: 0, pending: ENDPOINTS });
  // The pending delivery's minute, hour and day stay; everything else that old is gone.
  const old = await sql<{ unit: string; pending: number }[]>`
    select unit, pending from delivery_stats_by_tenant where tenant_id = ${tenant.id} and at < now() - interval '30 days' order by unit, at`;
  expect(old).toEqual([{ unit: 'day', pending: ENDPOINTS }, { unit: 'hour', pending: ENDPOINTS }, { unit: 'minute', pending: ENDPOINTS }]);
});
