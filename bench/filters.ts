import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp } from '../api/app';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createSql } from '../db/sql';
import { matchesFilter, type EventFilter } from '../domain/event-filter';
import { forEachLimited } from '../infra/concurrency';
import { loadConfig } from '../infra/config';
import { createLogger } from '../infra/logger';
import { createMetrics } from '../infra/metrics';

/**
 * `npx tsx bench/filters.ts [--n 300] [--concurrency 16] [--rounds 6]`: what payload filters cost
 * publishing. The real API (in-process, `app.request`, no network) on a throwaway Postgres database
 * publishes the same 2 KiB event to two tenants of 5 endpoints each: one without filters, one whose 5
 * endpoints each have a filter the event matches (so both make 5 deliveries per event, and only the
 * filters differ). Rounds alternate in ABBA order, so drift on a shared machine falls on both sides
 * alike; the medians are compared. The evaluator alone is timed too, in microseconds per event.
 */
const { values: flags } = parseArgs({
  options: { n: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '6' } },
});
const N = Number(flags.n);
const CONCURRENCY = Number(flags.concurrency);
const ROUNDS = Number(flags.rounds);
const ADMIN = `bench-admin-${randomBytes(8).toString('hex')}`;
const ENDPOINTS = 5;

const FILTERS: EventFilter[] = [
  { data: { amountCents: { $gte: 1000 } } },
  { data: { status: { $in: ['paid', 'shipped'] } } },
  { $or: [{ type: 'bench.order' }, { data: { tags: { $contains: 'vip' } } }] },
  { data: { customer: { email: { $endsWith: '@example.com' } } } },
  { data: { note: { $exists: false }, items: { $contains: { qty: { $gte: 2 } } } }, channels: { $nin: ['test'] } },
];

function payload(i: number) {
  const items = Array.from({ length: 22 }, (_, k) => ({ sku: `sku-${k}-${i}`, name: `Item number ${k} of the order`, qty: 1 + (k % 3), priceCents: 1999 + k }));
  return { orderId: `ord_${i.toString(36)}`, status: 'paid', amountCents: 45_000 + i, tags: ['web'], customer: { id: `cus_${i}`, email: `buyer${i}@example.com`, name: 'Ada Lovelace' }, items };
}

async function main(): Promise<void> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/hookline_bench_filters_${Date.now().toString(36)}`;
  const ownerUrl = base.toString();
  const appUrl = new URL(ownerUrl);
  appUrl.username = 'hookline_app';
  await ensureDatabase(ownerUrl, (u) => createSql(u, { max: 1 }));
  const owner = createSql(ownerUrl, { max: 1 });
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: appUrl.toString(), HOOKLINE_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'silent', HOOKLINE_MAX_PAYLOAD_BYTES: '65536' });
  const sql = createSql(config.databaseUrl, { max: 8 });
  const stop = async () => {
    await sql.end({ timeout: 2 });
    await owner.end({ timeout: 2 });
    await dropDatabase(ownerUrl, (u) => createSql(u, { max: 1 }));
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    await migrate(owner);
    const app = createApp({ config, sql, log: createLogger('silent'), metrics: createMetrics() });
    const call = async (method: string, path: string, body: unknown, token = ADMIN) => {
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    await call('POST', '/v1/event-types', { type: 'bench.order', description: 'an order' });
    for (const kind of ['plain', 'filtered'] as const) {
      const tenant = await call('POST', '/v1/tenants', { id: kind });
      for (let i = 0; i < ENDPOINTS; i++) {
        const filter = kind === 'filtered' ? { filter: FILTERS[i] } : {};
        await call('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/hook-${i}`, events: ['bench.order'], ...filter }, tenant.apiKey as string);
      }
    }

    const event = { id: 'evt_1', type: 'bench.order', data: payload(1), channels: [], createdAt: new Date().toISOString() };
    const m0 = performance.now();
    for (let r = 0; r < 20_000; r++) for (const f of FILTERS) if (!matchesFilter(f, event)) throw new Error('a bench filter does not match its event');
    const matchUs = ((performance.now() - m0) * 1000) / 20_000;

    let seq = 0;
    const cpuUs = { plain: [] as number[], filtered: [] as number[] };
    const run = async (tenantId: 'plain' | 'filtered') => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await forEachLimited(N, CONCURRENCY, async (i) => {
        await call('POST', '/v1/events', { tenantId, type: 'bench.order', id: `${tenantId}-${seq}-${i}`, data: payload(i) });
      });
      const c = process.cpuUsage(c0);
      cpuUs[tenantId].push((c.user + c.system) / N);
      seq += 1;
      return N / ((performance.now() - t0) / 1000);
    };
    await run('plain'); // warm-up: connections, JIT
    await run('filtered');
    cpuUs.plain.length = 0;
    cpuUs.filtered.length = 0;
    const rates = { plain: [] as number[], filtered: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['plain', 'filtered'] as const) : (['filtered', 'plain'] as const);
      for (const kind of order) rates[kind].push(await run(kind));
    }
    const [deliveries] = await owner<{ plain: number; filtered: number }[]>`
      select count(*) filter (where tenant_id = 'plain')::int as plain, count(*) filter (where tenant_id = 'filtered')::int as filtered from deliveries`;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const plain = median(rates.plain);
    const filtered = median(rates.filtered);
    console.log(JSON.stringify({
      endpointsPerTenant: ENDPOINTS, publishes: N * ROUNDS, concurrency: CONCURRENCY,
      medianUnfilteredPerSec: Math.round(plain), medianFilteredPerSec: Math.round(filtered),
      overheadPercent: Math.round(((plain - filtered) / plain) * 1000) / 10,
      evaluatorMicrosecondsPerEventFor5Filters: Math.round(matchUs * 100) / 100,
      // The API's own CPU per publish (this process: HTTP, zod, the evaluator, the client side of the
      // SQL), steadier than the rate on a shared machine; Postgres's work is the rest.
      medianApiCpuMicrosecondsPerPublish: { plain: Math.round(median(cpuUs.plain)), filtered: Math.round(median(cpuUs.filtered)) },
      deliveriesMade: deliveries,
      rounds: { plain: rates.plain.map(Math.round), filtered: rates.filtered.map(Math.round) },
    }, null, 2));
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
