import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp } from '../api/app';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createSql } from '../db/sql';
import { compilePayloadSchema } from '../domain/json-schema';
import { forEachLimited } from '../infra/concurrency';
import { loadConfig } from '../infra/config';
import { createLogger } from '../infra/logger';
import { createMetrics } from '../infra/metrics';

/**
 * `npx tsx bench/schema-validation.ts [--n 2000] [--concurrency 16] [--rounds 3]`: what JSON Schema
 * validation costs publishing. The real API (in-process, `app.request`, no network) on a throwaway
 * Postgres database publishes a 2 KiB payload to one subscribed endpoint, alternately as a type with
 * no schema and as a type with a schema of that payload, and prints both rates and the overhead.
 * Rounds alternate in ABBA order, so drift on a shared machine (and the tables growing) falls on both
 * sides alike; the medians are compared. The validation alone is timed too, in microseconds per payload.
 */
const { values: flags } = parseArgs({
  options: { n: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '12' } },
});
const N = Number(flags.n);
const CONCURRENCY = Number(flags.concurrency);
const ROUNDS = Number(flags.rounds);
const ADMIN = `bench-admin-${randomBytes(8).toString('hex')}`;

const SCHEMA = {
  type: 'object',
  required: ['orderId', 'customer', 'items', 'placedAt'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', pattern: '^ord_[a-z0-9]+$' },
    placedAt: { type: 'string', format: 'date-time' },
    customer: {
      type: 'object',
      required: ['id', 'email'],
      properties: { id: { type: 'string' }, email: { type: 'string', format: 'email' }, name: { type: 'string', maxLength: 200 } },
    },
    items: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['sku', 'qty', 'priceCents'],
        properties: { sku: { type: 'string' }, name: { type: 'string' }, qty: { type: 'integer', minimum: 1 }, priceCents: { type: 'integer', minimum: 0 } },
      },
    },
    note: { type: 'string', maxLength: 1000 },
  },
};

function payload(i: number) {
  const items = Array.from({ length: 22 }, (_, k) => ({ sku: `sku-${k}-${i}`, name: `Item number ${k} of the order`, qty: 1 + (k % 3), priceCents: 1999 + k }));
  return { orderId: `ord_${i.toString(36)}`, placedAt: new Date().toISOString(), customer: { id: `cus_${i}`, email: `buyer${i}@example.com`, name: 'Ada Lovelace' }, items, note: 'leave at the door' };
}

async function main(): Promise<void> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/hookline_bench_schema_${Date.now().toString(36)}`;
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
    await call('POST', '/v1/event-types', { type: 'bench.plain', description: 'no schema' });
    await call('POST', '/v1/event-types', { type: 'bench.schema', description: 'with a schema', schema: SCHEMA, example: payload(0) });
    const tenant = await call('POST', '/v1/tenants', { id: 'bench' });
    await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['bench.plain', 'bench.schema'] }, tenant.apiKey as string);

    const size = Buffer.byteLength(JSON.stringify(payload(123_456)));
    const validate = compilePayloadSchema(SCHEMA);
    const bodies = Array.from({ length: 1000 }, (_, i) => payload(i));
    const v0 = performance.now();
    for (let r = 0; r < 20; r++) for (const b of bodies) if (!validate(b)) throw new Error('the bench payload does not match its schema');
    const validationUs = ((performance.now() - v0) * 1000) / 20_000;

    let seq = 0;
    const cpuUs = { plain: [] as number[], schema: [] as number[] };
    const run = async (type: string) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await forEachLimited(N, CONCURRENCY, async (i) => {
        await call('POST', '/v1/events', { tenantId: 'bench', type, id: `${type}-${seq}-${i}`, data: payload(i) });
      });
      const c = process.cpuUsage(c0);
      seq += 1;
      cpuUs[type === 'bench.plain' ? 'plain' : 'schema'].push((c.user + c.system) / N);
      return N / ((performance.now() - t0) / 1000);
    };
    await run('bench.plain'); // warm-up: connections, JIT, the compiled schema
    await run('bench.schema');
    cpuUs.plain.length = 0;
    cpuUs.schema.length = 0;
    const rates = { plain: [] as number[], schema: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['plain', 'schema'] as const) : (['schema', 'plain'] as const);
      for (const kind of order) rates[kind].push(await run(`bench.${kind}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const plain = median(rates.plain);
    const schema = median(rates.schema);
    console.log(JSON.stringify({
      payloadBytes: size, publishes: N * ROUNDS, concurrency: CONCURRENCY,
      medianWithoutSchemaPerSec: Math.round(plain), medianWithSchemaPerSec: Math.round(schema),
      overheadPercent: Math.round(((plain - schema) / plain) * 1000) / 10,
      validationMicrosecondsPerPayload: Math.round(validationUs * 10) / 10,
      // The API's own CPU per publish (this process: HTTP handling, zod, validation, the client side
      // of the SQL), steadier than the rate on a shared machine; Postgres's commit is the rest.
      medianApiCpuMicrosecondsPerPublish: { plain: Math.round(median(cpuUs.plain)), schema: Math.round(median(cpuUs.schema)) },
      cpuOverheadPercent: Math.round(((median(cpuUs.schema) - median(cpuUs.plain)) / median(cpuUs.plain)) * 1000) / 10,
      validationShareOfApiCpuPercent: Math.round((validationUs / median(cpuUs.plain)) * 1000) / 10,
      rounds: { plain: rates.plain.map(Math.round), schema: rates.schema.map(Math.round) },
    }, null, 2));
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
