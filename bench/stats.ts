import { LATENCY_BUCKETS } from '../domain/latency-sketch';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../api/app';
import { generateApiKey, hashApiKey } from '../domain/api-keys';
import { loadConfig } from '../infra/config';
import { createLogger } from '../infra/logger';
import { createMetrics } from '../infra/metrics';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { foldStats, rebuildStats } from '../db/queries/stats';
import { createSql, type Sql } from '../db/sql';
import { appLogin } from '../tools/testkit/app-login';

/**
 * `npx tsx bench/stats.ts [--rows 1000000]`: how fast the statistics routes answer for a tenant with
 * that many deliveries. Makes a database of its own (dropped at the end), migrates it, loads one
 * tenant's deliveries over --endpoints endpoints and 30 days with generate_series, with their attempts
 * (plus --noise-tenants others with a tenth as many each); ANALYZEs, then times requests through the
 * real Hono app in this process (tenant auth, row-level security, JSON) for one endpoint and for the
 * tenant, over 24 hours by the hour and 7 days by the day, and the admin's GET /v1/admin/stats; last,
 * the write cost: --write-samples transactions that each record one attempt and finish one delivery,
 * as the deliver activity does, through the rollup triggers.
 *   --rows N (1000000)  --endpoints K (50)  --noise-tenants T (4)  --samples S (100)  --write-samples W (500)
 *   --load fast|triggers (fast): fast inserts with the rollup triggers off and builds the three levels in one
 *     aggregation afterwards (db/queries/stats.ts rebuildStats); triggers loads through them, as the product
 *     writes, in statements of 100,000 deliveries (about 15 minutes for 1,000,000 on a small machine).
 *   --verify: loads through the triggers, rebuilds the rollup with the fast load's aggregation from the same
 *     rows, compares the three levels row for row and exits (use a small --rows).
 *   --owner URL (postgres://postgres@127.0.0.1:5432/postgres): a role that may create databases
 *   --keep: leaves the database in place (its name is printed) to look at the plans afterwards
 * Writes bench/results/stats-<stamp>.json and prints a table.
 */
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    endpoints: { type: 'string', default: '50' },
    'noise-tenants': { type: 'string', default: '4' },
    samples: { type: 'string', default: '100' },
    'write-samples': { type: 'string', default: '500' },
    load: { type: 'string', default: 'fast' },
    verify: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    owner: { type: 'string', default: process.env.BENCH_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const ROWS = Number(flags.rows);
const ENDPOINTS = Number(flags.endpoints);
const NOISE = Number(flags['noise-tenants']);
const SAMPLES = Number(flags.samples);
const WRITE_SAMPLES = Number(flags['write-samples']);
const FAST = flags.load === 'fast' && !flags.verify;
const FANOUT = 4;
const CHUNK = 100_000; // deliveries per insert statement (one trigger run each)
const STATS_TRIGGERS = [['deliveries', 'deliveries_stats_insert'], ['attempts', 'attempts_stats_insert']] as const;
const log = (line: string) => console.log(`stats bench: ${line}`);

/** Seconds spent inserting deliveries and attempts, summed over the tenants loaded. */
const loadSeconds = { deliveries: 0, attempts: 0 };
const timed = async (key: keyof typeof loadSeconds, fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  loadSeconds[key] += (performance.now() - t0) / 1000;
};

/**
 * One tenant's endpoints, events, deliveries and attempts; statuses 90 % success, 6 % failed, 3 % skipped,
 * 1 % pending; 1 to 4 attempts of 5 to 500 ms each.
 */
async function load(sql: Sql, tenantId: string, tag: number, deliveries: number): Promise<void> {
  const events = Math.ceil(deliveries / FANOUT);
  await sql`insert into endpoints (id, tenant_id, url, event_types)
    select ${tenantId} || '_ep_' || lpad(n::text, 3, '0'), ${tenantId}, 'https://example.com/hook', '{*}' from generate_series(0, ${ENDPOINTS - 1}) n`;
  await sql`insert into events (tenant_id, id, type, data, created_at)
    select ${tenantId}, 'evt_' || lpad(n::text, 10, '0'), 'bench.t', '{}', now() - interval '30 days' * (1 - n::float8 / ${events})
    from generate_series(1, ${events}) n`;
  for (let from = 1; from <= events; from += CHUNK / FANOUT) {
    const to = Math.min(events, from + CHUNK / FANOUT - 1);
    await timed('deliveries', () => sql`
      insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, last_attempt_at, created_at, updated_at)
      select 'dlv_' || ${tag} || lpad((e.n * ${FANOUT} + k)::text, 12, '0'), ${tenantId},
             ${tenantId} || '_ep_' || lpad(((e.n * 7 + k * 13) % ${ENDPOINTS})::text, 3, '0'), e.id, 'bench.t', 'event', x.status,
             case x.status when 'failed' then 4 when 'skipped' then 0 when 'pending' then 1 else 1 + (random() < 0.05)::int end,
             e.created_at, e.created_at, e.created_at
      from (select id, created_at, substr(id, 5)::bigint as n from events where tenant_id = ${tenantId} and substr(id, 5)::bigint between ${from} and ${to}) e
      cross join generate_series(0, ${FANOUT - 1}) k
      cross join lateral (select case when s < 0.90 then 'success' when s < 0.96 then 'failed' when s < 0.99 then 'skipped' else 'pending' end as status
                          from (select random() + 0 * k + 0 * e.n as s) r) x`);
    const eventId = (n: number) => `evt_${String(n).padStart(10, '0')}`;
    await timed('attempts', () => sql`
      insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status)
      select d.id, d.tenant_id, a, d.created_at, (5 + random() * 495)::int, case when d.status = 'success' and a = d.attempt_count then 200 else 503 end
      from deliveries d cross join generate_series(1, d.attempt_count) a
      where d.tenant_id = ${tenantId} and d.event_id between ${eventId(from)} and ${eventId(to)}`);
  }
}

async function loadAll(owner: Sql, tenantId: string): Promise<void> {
  await owner`insert into tenants (id) select unnest(${[tenantId, ...Array.from({ length: NOISE }, (_, i) => `noise-${i}`)]}::text[])`;
  await load(owner, tenantId, 0, ROWS);
  for (let i = 0; i < NOISE; i++) await load(owner, `noise-${i}`, i + 1, Math.ceil(ROWS / 10));
}

async function setStatsTriggers(owner: Sql, on: boolean): Promise<void> {
  for (const [table, trigger] of STATS_TRIGGERS) await owner`alter table ${owner(table)} ${on ? owner`enable` : owner`disable`} trigger ${owner(trigger)}`;
}

const ROLLUPS = [['delivery_stats', 'minute'], ['delivery_stats_hourly', 'hour'], ['delivery_stats_daily', 'day'], ['delivery_stats_by_tenant', 'tenant, grain and time']] as const;

/** Loads through the triggers, keeps what they built, rebuilds from the same rows and compares each level row for row. */
async function verify(owner: Sql): Promise<void> {
  await loadAll(owner, 'bench');
  // The per-tenant rows are the triggers' change log folded, as the workers fold it.
  while ((await foldStats(owner, 100_000)) > 0);
  for (const [table] of ROLLUPS) await owner`create table ${owner(`${table}_by_triggers`)} as select * from ${owner(table)}`;
  await owner`truncate delivery_stats, delivery_stats_hourly, delivery_stats_daily, delivery_stats_by_tenant`;
  const rebuilt = await rebuildStats(owner);
  let ok = true;
  for (const [table, key] of ROLLUPS) {
    const [d] = await owner<{ rows: number; missing: number; extra: number }[]>`
      select (select count(*) from ${owner(table)})::int as rows,
             (select count(*) from (select * from ${owner(`${table}_by_triggers`)} except all select * from ${owner(table)}) x)::int as missing,
             (select count(*) from (select * from ${owner(table)} except all select * from ${owner(`${table}_by_triggers`)}) x)::int as extra`;
    log(`${table}: ${d!.rows} rows by ${key}; ${d!.missing} rows of the triggers' not rebuilt the same, ${d!.extra} rebuilt rows not the triggers'`);
    ok &&= d!.missing === 0 && d!.extra === 0;
  }
  const [n] = await owner<{ deliveries: number; attempts: number }[]>`
    select (select count(*) from deliveries)::int as deliveries, (select count(*) from attempts)::int as attempts`;
  log(`${n!.deliveries} deliveries and ${n!.attempts} attempts; rebuilt ${rebuilt.minutes} minute, ${rebuilt.hours} hour and ${rebuilt.days} day rows, ${rebuilt.tenantRows} per tenant`);
  if (!ok) throw new Error('the fast load\'s rollup differs from the triggers\'');
  log('verified: the fast load builds the rollup the triggers build, row for row');
}

/** As the deliver activity records an attempt: the attempt, then the delivery's new status, in one transaction each. */
async function writeCost(owner: Sql, tenantId: string): Promise<ReturnType<typeof percentiles> | null> {
  const pending = await owner<{ id: string }[]>`
    select id from deliveries where tenant_id = ${tenantId} and status = 'pending' order by id limit ${WRITE_SAMPLES}`;
  if (pending.length === 0) return null;
  const ms: number[] = [];
  for (const { id } of pending) {
    const t0 = performance.now();
    await owner.begin(async (tx) => {
      await tx`insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status)
        values (${id}, ${tenantId}, 2, now(), 42, 200)`;
      await tx`update deliveries set status = 'success', attempt_count = 2, last_attempt_at = now(), updated_at = now() where id = ${id}`;
    });
    ms.push(performance.now() - t0);
  }
  return percentiles(ms);
}

function percentiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), max: r(sorted[sorted.length - 1]!) };
}

/**
 * The latency part of a tenant's answer alone, two ways over the same rollup rows (the tenant's last 7
 * days of hour rows: some 8,000 histograms): unnesting every array and grouping by bucket, and one
 * sum per bucket index (what statsSummary does). Alternated, and checked to add up the same.
 */
async function compareHistogramSums(sql: Sql, tenantId: string) {
  const src = sql`select latency from delivery_stats_hourly where tenant_id = ${tenantId} and hour >= now() - interval '7 days'`;
  const byIndex = `array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(src.latency[${i + 1}]), 0)::int`).join(', ')}]`;
  const ways = {
    unnest: () => sql<{ counts: number[] }[]>`with src as (${src}) select coalesce(array_agg(x.n order by x.k), '{}') as counts from (select u.k, sum(u.n)::int as n from src cross join lateral unnest(src.latency) with ordinality as u(n, k) group by 1) x`,
    byIndex: () => sql<{ counts: number[] }[]>`with src as (${src}) select ${sql.unsafe(byIndex)} as counts from src`,
  };
  const trimmed = (a: number[]) => {
    const end = a.reduce((last, n, i) => (n > 0 ? i + 1 : last), 0);
    return a.slice(0, end).join(',');
  };
  const [a, b] = [await ways.unnest(), await ways.byIndex()];
  if (trimmed(a[0]!.counts) === '') throw new Error('no histograms to add: the comparison would time nothing');
  if (trimmed(a[0]!.counts) !== trimmed(b[0]!.counts)) throw new Error(`the two ways of adding histograms disagree: ${trimmed(a[0]!.counts)} against ${trimmed(b[0]!.counts)}`);
  const ms = { unnest: [] as number[], byIndex: [] as number[] };
  for (let i = 0; i < SAMPLES; i++) {
    for (const way of i % 2 ? (['byIndex', 'unnest'] as const) : (['unnest', 'byIndex'] as const)) {
      const t0 = performance.now();
      await ways[way]();
      ms[way].push(performance.now() - t0);
    }
  }
  return { unnest: percentiles(ms.unnest), byIndex: percentiles(ms.byIndex) };
}

async function main(): Promise<void> {
  if (!(ROWS > 0 && ENDPOINTS > 0 && SAMPLES > 0 && WRITE_SAMPLES >= 0 && ['fast', 'triggers'].includes(flags.load))) {
    throw new Error('usage: --rows N --endpoints K --noise-tenants T --samples S --write-samples W --load fast|triggers [--verify]');
  }
  const name = `hookline_bench_stats_${randomBytes(4).toString('hex')}`;
  const ownerUrl = new URL(flags.owner);
  ownerUrl.pathname = `/${name}`;
  const url = ownerUrl.toString();
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (flags.keep) return log(`kept the database ${name}`);
    await dropDatabase(url, (u) => createSql(u, { max: 1 })).catch((err: unknown) => log(`could not drop ${name}: ${(err as Error).message}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().then(() => process.exit(130)));

  await ensureDatabase(url, (u) => createSql(u, { max: 1 }));
  const owner = createSql(url, { max: 1 });
  const app = createSql(appLogin(url), { max: 2 });
  try {
    await migrate(owner);
    if (flags.verify) return await verify(owner);
    const tenantId = 'bench';
    const started = performance.now();
    if (FAST) await setStatsTriggers(owner, false);
    await loadAll(owner, tenantId);
    // Loaded through the triggers: their per-tenant change log folded, as the workers would have.
    if (!FAST) while ((await foldStats(owner, 100_000)) > 0);
    let rebuildSeconds = 0;
    if (FAST) {
      const t0 = performance.now();
      await rebuildStats(owner);
      rebuildSeconds = (performance.now() - t0) / 1000;
      await setStatsTriggers(owner, true);
    }
    const loadedMs = performance.now() - started;
    await owner`vacuum analyze`;
    // Runs against a schema with the minute level only too (--load triggers), to compare the write cost.
    const [{ levels } = { levels: false }] = await owner<{ levels: boolean }[]>`select to_regclass('delivery_stats_daily') is not null as levels`;
    const rowsOf = (table: string, where: ReturnType<Sql>) => (levels ? owner`(select count(*) from ${owner(table)} ${where})::int` : owner`0`);
    const [counts] = await owner<{ deliveries: number; mine: number; attempts: number; rollupRows: number; mineRollupRows: number; hourRows: number; mineHourRows: number; dayRows: number; mineDayRows: number }[]>`
      select (select count(*) from deliveries)::int as deliveries, (select count(*) from deliveries where tenant_id = ${tenantId})::int as mine,
             (select count(*) from attempts)::int as attempts,
             (select count(*) from delivery_stats)::int as rollup_rows, (select count(*) from delivery_stats where tenant_id = ${tenantId})::int as mine_rollup_rows,
             ${rowsOf('delivery_stats_hourly', owner``)} as hour_rows, ${rowsOf('delivery_stats_hourly', owner`where tenant_id = ${tenantId}`)} as mine_hour_rows,
             ${rowsOf('delivery_stats_daily', owner``)} as day_rows, ${rowsOf('delivery_stats_daily', owner`where tenant_id = ${tenantId}`)} as mine_day_rows`;
    const c = counts!;
    log(`loaded ${c.mine} deliveries of one tenant (${c.deliveries} in all, ${c.attempts} attempts) in ${Math.round(loadedMs / 1000)} s (${FAST ? 'fast' : 'through the triggers'}: ` +
      `deliveries ${Math.round(loadSeconds.deliveries)} s, attempts ${Math.round(loadSeconds.attempts)} s${FAST ? `, rollup built in ${Math.round(rebuildSeconds)} s` : ''}); ` +
      `rollup ${c.mineRollupRows} minute rows of ${c.rollupRows}, ${c.mineHourRows} hour rows of ${c.hourRows}, ${c.mineDayRows} day rows of ${c.dayRows}`);
    // The rollup agrees with the rows it counts, at each level.
    const [check] = await owner<{ ok: boolean }[]>`
      select (select sum(success + failed + skipped + pending) from delivery_stats where tenant_id = ${tenantId}) = ${c.mine}
         and ${levels ? owner`(select sum(success + failed + skipped + pending) from delivery_stats_hourly where tenant_id = ${tenantId}) = ${c.mine}
                    and (select sum(success + failed + skipped + pending) from delivery_stats_daily where tenant_id = ${tenantId}) = ${c.mine}` : owner`true`} as ok`;
    if (!check!.ok) throw new Error('the rollup does not count every delivery');

    const apiKey = generateApiKey();
    await owner`insert into api_keys (key_hash, tenant_id) values (${hashApiKey(apiKey)}, ${tenantId})`;
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: appLogin(url), LOG_LEVEL: 'silent', HOOKLINE_ADMIN_TOKEN: 'bench-admin-token-0123456789' });
    const api = createApp({ config, sql: app, log: createLogger('silent', 'bench'), metrics: createMetrics() });
    const get = async (pathAndQuery: string, token = apiKey) => {
      const t0 = performance.now();
      const res = await api.request(pathAndQuery, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return performance.now() - t0;
    };
    const endpoint = () => `${tenantId}_ep_${String(Math.floor(Math.random() * ENDPOINTS)).padStart(3, '0')}`;
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    // A window somewhere in the 30 days loaded, so the caches do not hold one range only.
    const window = (days: number) => {
      const since = Date.now() - (days + Math.random() * (29 - days)) * 86_400_000;
      return `since=${new Date(since).toISOString()}&until=${new Date(since + days * 86_400_000).toISOString()}`;
    };
    const scenarios: [string, () => [string, string?]][] = [
      ['endpoint, last 24 h by hour (default)', () => [`/v1/webhooks/${endpoint()}/stats`]],
      ['endpoint, a 24 h window by minute', () => [`/v1/webhooks/${endpoint()}/stats?${window(1)}&bucket=minute`]],
      ['endpoint, a 7 d window by day', () => [`/v1/webhooks/${endpoint()}/stats?${window(7)}&bucket=day`]],
      ['endpoint, 30 d by day', () => [`/v1/webhooks/${endpoint()}/stats?since=${ago(30)}&bucket=day`]],
      ['tenant, last 24 h by hour (default)', () => ['/v1/stats']],
      ['tenant, a 24 h window by hour', () => [`/v1/stats?${window(1)}`]],
      ['tenant, a 7 d window by day', () => [`/v1/stats?${window(7)}&bucket=day`]],
      ['tenant, 30 d by day', () => [`/v1/stats?since=${ago(30)}&bucket=day`]],
      ['admin, the deployment now', () => ['/v1/admin/stats', 'bench-admin-token-0123456789']],
    ];
    for (let i = 0; i < 3; i++) for (const [, s] of scenarios) await get(...s()); // warm the pool and caches
    const results: Record<string, ReturnType<typeof percentiles>> = {};
    for (const [label, s] of scenarios) {
      const ms: number[] = [];
      for (let i = 0; i < SAMPLES; i++) ms.push(await get(...s()));
      results[label] = percentiles(ms);
    }
    const histogramSum = await compareHistogramSums(owner, tenantId);
    const write = await writeCost(owner, tenantId);
    const load = { mode: FAST ? 'fast' : 'triggers', seconds: Math.round(loadedMs / 1000), deliveriesSeconds: Math.round(loadSeconds.deliveries), attemptsSeconds: Math.round(loadSeconds.attempts), rollupSeconds: Math.round(rebuildSeconds) };
    const out = { at: new Date().toISOString(), rows: counts, endpoints: ENDPOINTS, samplesPerScenario: SAMPLES, load, loadAverage: os.loadavg(), scenarios: results, histogramSum, writeCost: write };
    const dir = path.join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `stats-${out.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log('\n| route and range | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|');
    for (const [label, r] of Object.entries(results)) console.log(`| ${label} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} |`);
    log(`histograms of the tenant's last 7 days of hour rows added up: unnest and group p50 ${histogramSum.unnest.p50} ms, p95 ${histogramSum.unnest.p95} ms; by bucket index p50 ${histogramSum.byIndex.p50} ms, p95 ${histogramSum.byIndex.p95} ms (the same sums)`);
    if (write) log(`write cost: one attempt and one delivery's new status per transaction, through the triggers: p50 ${write.p50} ms, p95 ${write.p95} ms (${write.n})`);
    log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await app.end({ timeout: 5 });
    await owner.end({ timeout: 5 });
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
