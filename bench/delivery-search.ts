import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../api/app';
import { generateApiKey, hashApiKey } from '../domain/api-keys';
import { loadConfig, type Config } from '../infra/config';
import { createLogger } from '../infra/logger';
import { createMetrics } from '../infra/metrics';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createSql, type Sql } from '../db/sql';
import { createPurgeBatch } from '../temporal/activities/purge';
import type { ActivityDeps } from '../temporal/activities';
import type { PurgePosition } from '../temporal/workflows/types';
import { appLogin } from '../tools/testkit/app-login';

/**
 * `npx tsx bench/delivery-search.ts [--rows 1000000]`: how fast GET /v1/deliveries answers on a
 * tenant with that many deliveries. Makes a database of its own (dropped at the end), migrates it,
 * loads the rows with generate_series (one tenant over --endpoints endpoints and 30 days, plus
 * --noise-tenants others), ANALYZEs, then times requests through the real Hono app in this process
 * (tenant auth, row-level security, the query builder, JSON) for each filter and for deep pages.
 *   --rows N (1000000)  --endpoints K (50)  --noise-tenants T (4)  --samples S (100)  --limit L (50)
 *   --owner URL (postgres://postgres@127.0.0.1:5432/postgres): a role that may create databases
 *   --purge-days D (0: off): then loads an attempt per delivery too, and after the search times the
 *   real purge activity (one tenant after another, HOOKLINE_PURGE_BATCH rows a transaction, as the
 *   app role) deleting everything older than D days: rows a second and the slowest batch
 * Writes bench/results/delivery-search-<stamp>.json and prints a table.
 */
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    endpoints: { type: 'string', default: '50' },
    'noise-tenants': { type: 'string', default: '4' },
    samples: { type: 'string', default: '100' },
    limit: { type: 'string', default: '50' },
    owner: { type: 'string', default: process.env.BENCH_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'purge-days': { type: 'string', default: '0' },
    'purge-batch': { type: 'string', default: '1000' },
  },
});
const ROWS = Number(flags.rows);
const ENDPOINTS = Number(flags.endpoints);
const NOISE = Number(flags['noise-tenants']);
const SAMPLES = Number(flags.samples);
const LIMIT = Number(flags.limit);
const PURGE_DAYS = Number(flags['purge-days']);
const PURGE_BATCH = Number(flags['purge-batch']);
const FANOUT = 4; // deliveries per event
const TYPES = 20; // event types, skewed: bench.t0 the most common, bench.t19 about 2.5%
const log = (line: string) => console.log(`search bench: ${line}`);

/** One tenant's rows (deliveries rounded up to a whole event) in three statements; ids sort as their times do, as Hookline's do. */
async function load(sql: Sql, tenantId: string, tag: number, deliveries: number): Promise<void> {
  const events = Math.ceil(deliveries / FANOUT);
  await sql`insert into endpoints (id, tenant_id, url, event_types, enabled)
    select ${tenantId} || '_ep_' || lpad(n::text, 3, '0'), ${tenantId}, 'https://example.com/hook', '{*}', n % 10 <> 9
    from generate_series(0, ${ENDPOINTS - 1}) n`;
  await sql`insert into events (tenant_id, id, type, data, created_at)
    select ${tenantId}, 'evt_' || lpad(n::text, 10, '0'), 'bench.t' || floor(power(random(), 2) * ${TYPES})::int,
           jsonb_build_object('n', n), now() - interval '30 days' * (1 - n::float8 / ${events})
    from generate_series(1, ${events}) n`;
  // Statuses: 90% success, 6% failed, 3% skipped, 1% pending; kinds: 0.8% redelivery, 0.2% test.
  await sql`insert into deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status, attempt_count, created_at, updated_at)
    select 'dlv_' || ${tag} || lpad((e.n * ${FANOUT} + k)::text, 12, '0'), ${tenantId},
           ${tenantId} || '_ep_' || lpad(((e.n * 7 + k * 13) % ${ENDPOINTS})::text, 3, '0'), e.id, e.type,
           case when r < 0.008 then 'redelivery' when r < 0.01 then 'test' else 'event' end,
           case when s < 0.90 then 'success' when s < 0.96 then 'failed' when s < 0.99 then 'skipped' else 'pending' end,
           1, e.created_at, e.created_at
    from (select id, type, created_at, substr(id, 5)::bigint as n from events where tenant_id = ${tenantId}) e
    cross join generate_series(0, ${FANOUT - 1}) k
    cross join lateral (select random() + 0 * k as r, random() + 0 * e.n as s) x`;
  if (PURGE_DAYS > 0) {
    await sql`insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status)
      select id, tenant_id, 1, created_at, 42, 200 from deliveries where tenant_id = ${tenantId}`;
  }
}

/** The real purge activity over every tenant, as the worker runs it (the workflow only loops over it). */
async function timePurge(app: Sql, config: Config) {
  const purgeBatch = createPurgeBatch({ sql: app, config: { ...config, retention: { ...config.retention, days: PURGE_DAYS, purgeBatch: PURGE_BATCH } }, log: createLogger('silent', 'bench') } as unknown as ActivityDeps);
  const totals = { batches: 0, deliveries: 0, attempts: 0, events: 0, slowestBatchMs: 0 };
  const t0 = performance.now();
  let position: PurgePosition | null = { tenantId: '', pastIt: false };
  while (position) {
    const b0 = performance.now();
    const batch = await purgeBatch(position);
    totals.slowestBatchMs = Math.max(totals.slowestBatchMs, Math.round(performance.now() - b0));
    totals.batches += 1;
    totals.deliveries += batch.deliveries;
    totals.attempts += batch.attempts;
    totals.events += batch.events;
    position = batch.next;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { days: PURGE_DAYS, batchRows: PURGE_BATCH, ...totals, seconds: Math.round(seconds), rowsPerSecond: Math.round((totals.deliveries + totals.attempts + totals.events) / seconds) };
}

function percentiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), max: r(sorted[sorted.length - 1]!) };
}

async function main(): Promise<void> {
  if (!(ROWS > 0 && ENDPOINTS > 0 && SAMPLES > 0 && LIMIT >= 1 && LIMIT <= 100)) throw new Error('usage: --rows N --endpoints K --noise-tenants T --samples S --limit 1..100');
  const name = `hookline_bench_search_${randomBytes(4).toString('hex')}`;
  const ownerUrl = new URL(flags.owner);
  ownerUrl.pathname = `/${name}`;
  const url = ownerUrl.toString();
  const drop = () => dropDatabase(url, (u) => createSql(u, { max: 1 }));
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await drop().catch((err: unknown) => log(`could not drop ${name}: ${(err as Error).message}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().then(() => process.exit(130)));

  await ensureDatabase(url, (u) => createSql(u, { max: 1 }));
  const owner = createSql(url, { max: 1 });
  const app = createSql(appLogin(url), { max: 2 });
  try {
    await migrate(owner);
    const started = performance.now();
    const tenantId = 'bench';
    await owner`insert into tenants (id) select unnest(${[tenantId, ...Array.from({ length: NOISE }, (_, i) => `noise-${i}`)]}::text[])`;
    // Foreign keys are checked by triggers: off for the bulk load only (the rows are made consistent).
    await owner`set session_replication_role = replica`;
    await load(owner, tenantId, 0, ROWS);
    for (let i = 0; i < NOISE; i++) await load(owner, `noise-${i}`, i + 1, Math.ceil(ROWS / 10));
    await owner`set session_replication_role = origin`;
    const loadedMs = performance.now() - started;
    await owner`vacuum analyze`;
    const [counts] = await owner<{ deliveries: number; mine: number; events: number }[]>`
      select (select count(*) from deliveries)::int as deliveries, (select count(*) from deliveries where tenant_id = ${tenantId})::int as mine,
             (select count(*) from events)::int as events`;
    log(`loaded ${counts!.mine} deliveries of one tenant (${counts!.deliveries} in all, ${counts!.events} events) in ${Math.round(loadedMs / 1000)} s, analyzed in ${Math.round((performance.now() - started - loadedMs) / 1000)} s`);

    const apiKey = generateApiKey();
    await owner`insert into api_keys (key_hash, tenant_id) values (${hashApiKey(apiKey)}, ${tenantId})`;
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: appLogin(url), LOG_LEVEL: 'silent' });
    const api = createApp({ config, sql: app, log: createLogger('silent', 'bench'), metrics: createMetrics() });
    const get = async (query: Record<string, string>) => {
      const t0 = performance.now();
      const res = await api.request(`/v1/deliveries?${new URLSearchParams({ limit: String(LIMIT), ...query })}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await res.json()) as { data: unknown[]; nextCursor: string | null };
      if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t0, rows: body.data.length, next: body.nextCursor };
    };

    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
    const endpoint = () => `${tenantId}_ep_${String(Math.floor(Math.random() * ENDPOINTS)).padStart(3, '0')}`;
    const eventId = () => `evt_${String(1 + Math.floor(Math.random() * Math.ceil(ROWS / FANOUT))).padStart(10, '0')}`;
    const day = () => {
      const since = new Date(Date.now() - (1 + Math.random() * 28) * 86_400_000);
      return { since: since.toISOString(), until: new Date(since.getTime() + 86_400_000).toISOString() };
    };
    const scenarios: [string, () => Record<string, string>][] = [
      ['no filter', () => ({})],
      ['endpointId', () => ({ endpointId: endpoint() })],
      ['status=failed', () => ({ status: 'failed' })],
      ['status=pending (1%)', () => ({ status: 'pending' })],
      ['status=skipped', () => ({ status: 'skipped' })],
      ['status=success', () => ({ status: 'success' })],
      ['eventType common', () => ({ eventType: 'bench.t0' })],
      ['eventType rare (2.5%)', () => ({ eventType: `bench.t${TYPES - 1}` })],
      ['kind=test (0.2%)', () => ({ kind: 'test' })],
      ['eventId', () => ({ eventId: eventId() })],
      ['one day (since+until)', day],
      ['endpointId+status=failed', () => ({ endpointId: endpoint(), status: 'failed' })],
      ['endpointId+eventType rare', () => ({ endpointId: endpoint(), eventType: `bench.t${TYPES - 1}` })],
      ['status=failed+eventType rare', () => ({ status: 'failed', eventType: `bench.t${TYPES - 1}` })],
      ['kind=test+endpointId', () => ({ kind: 'test', endpointId: endpoint() })],
      ['status=pending+one day', () => ({ status: 'pending', ...day() })],
      ['endpointId+one day', () => ({ endpointId: endpoint(), ...day() })],
    ];
    for (let i = 0; i < 20; i++) await get(pick(scenarios)[1]()); // warm the pool and caches
    const results: Record<string, ReturnType<typeof percentiles> & { rowsPerPage: number }> = {};
    const all: number[] = [];
    for (const [label, query] of scenarios) {
      const ms: number[] = [];
      let rows = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const r = await get(query());
        ms.push(r.ms);
        rows += r.rows;
      }
      all.push(...ms);
      results[label] = { ...percentiles(ms), rowsPerPage: Math.round(rows / SAMPLES) };
    }
    // Deep pages: follow the cursor page after page (every page timed), unfiltered and by status.
    for (const [label, query] of [['deep pages, no filter', {}], ['deep pages, status=failed', { status: 'failed' }], ['deep pages, endpointId', { endpointId: endpoint() }]] as const) {
      const ms: number[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < SAMPLES * 2; page++) {
        const r = await get({ ...query, ...(cursor ? { cursor } : {}) });
        ms.push(r.ms);
        cursor = r.next;
        if (!cursor) break;
      }
      all.push(...ms);
      results[label] = { ...percentiles(ms), rowsPerPage: LIMIT };
    }
    const overall = percentiles(all);
    const purge = PURGE_DAYS > 0 ? await timePurge(app, config) : undefined;
    if (purge) log(`purge older than ${purge.days} days: ${purge.deliveries} deliveries, ${purge.attempts} attempts, ${purge.events} events in ${purge.seconds} s (${purge.rowsPerSecond} rows/s, ${purge.batches} batches, slowest ${purge.slowestBatchMs} ms)`);
    const out = {
      at: new Date().toISOString(),
      rows: counts,
      endpoints: ENDPOINTS,
      limit: LIMIT,
      samplesPerScenario: SAMPLES,
      loadSeconds: Math.round(loadedMs / 1000),
      overall,
      scenarios: results,
      purge,
    };
    const dir = path.join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `delivery-search-${out.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\n| query (limit ${LIMIT}) | p50 ms | p95 ms | p99 ms | max ms | rows/page |\n|---|---:|---:|---:|---:|---:|`);
    for (const [label, r] of Object.entries(results)) console.log(`| ${label} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.rowsPerPage} |`);
    console.log(`| **all ${overall.n} requests** | ${overall.p50} | **${overall.p95}** | ${overall.p99} | ${overall.max} | |`);
    log(`wrote ${path.relative(process.cwd(), file)}`);
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
