import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { HooklineClient } from '../api/client';
import { serveApi } from '../api/server';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createSql } from '../db/sql';
import { loadConfig } from '../infra/config';
import { forEachLimited } from '../infra/concurrency';
import { signRequest } from '../domain/signing';
import { createRuntime } from '../bin/runtime';
import { createWebhookFetch } from '../infra/webhook-fetch';
import { findOrBuildTemporalCli } from '../tools/temporal-cli';
import { quantile } from '../tools/proof/stats';
import { startDevServer } from '../tools/temporal-dev-server';
import { freePort } from '../tools/testkit/free-port';
import { createHooklineWorker } from '../temporal/worker';
import { workflowIds } from '../temporal/workflows/types';
import type { BarePost } from './bare-workflow';
import { BenchReceiver } from './receiver';
import { countActions, type ActionCount } from './temporal-cost';

/**
 * `npm run bench [-- --size N]`: raw HTTP, bare Temporal and Hookline, side by side, on one
 * Temporal dev server (in memory) and the local Postgres. See README "Performance".
 */
const { values: flags } = parseArgs({ options: { size: { type: 'string' }, fanout: { type: 'string' } } });
const N = Number(flags.size ?? process.env.BENCH_SIZE ?? 1000);
const FANOUT = Number(flags.fanout ?? 1000);
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const IN_FLIGHT = 64; // publishes or workflow starts the driver keeps in flight

const lat = (xs: number[]) => ({ p50: Math.round(quantile(xs, 0.5)), p95: Math.round(quantile(xs, 0.95)), p99: Math.round(quantile(xs, 0.99)) });
const log = (line: string) => console.log(`bench: ${line}`);

async function main(): Promise<void> {
  const receiver = new BenchReceiver();
  const receiverUrl = await receiver.start();
  // The dev server runs with eager activity execution, as `npm run dev` does; =0 measures without.
  const eager = process.env.BENCH_EAGER_ACTIVITIES !== '0';
  const temporal = await startDevServer({
    binary: await findOrBuildTemporalCli(),
    port: await freePort(),
    logLevel: 'error',
    dynamicConfig: { 'system.enableActivityEagerExecution': eager },
  });
  const dbUrl = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  dbUrl.pathname = `/hookline_bench_${Date.now().toString(36)}`;
  await ensureDatabase(dbUrl.toString(), (u) => createSql(u, { max: 1 }));
  const migrator = createSql(dbUrl.toString(), { max: 1 });
  await migrate(migrator);
  await migrator.end();
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl.toString(),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'bench-hookline',
    HOOKLINE_ADMIN_TOKEN: `bench_${randomBytes(16).toString('hex')}`,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HOOKLINE_MAX_ENDPOINTS_PER_TENANT: String(Math.max(FANOUT, 10)),
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HOOKLINE_WORKER') || k === 'DATABASE_POOL_SIZE')),
  });
  const C = config.workerConcurrency;
  log(`N=${N}, worker concurrency ${C}, ${os.cpus().length} cores, Temporal ${temporal.address} (in memory, eager activities ${eager ? 'on' : 'off'})`);
  const results: Record<string, unknown> = { date: new Date().toISOString(), size: N, workerConcurrency: C, cores: os.cpus().length, node: process.version, eagerActivities: eager };

  try {
    // 1. Raw: sign and POST from Node, keep-alive, the worker's concurrency.
    {
      const fetch = createWebhookFetch({ refusePrivateTargets: false });
      receiver.reset();
      const t0 = performance.now();
      await forEachLimited(N, C, async (i) => {
        const body = JSON.stringify({ id: `raw-${i}`, type: 'card.viewed', data: { i } });
        const headers = signRequest({ secrets: [SECRET], id: `raw-${i}`, timestampSeconds: Math.floor(Date.now() / 1000), body });
        const res = await fetch(`${receiverUrl}/raw`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await res.arrayBuffer();
      });
      const seconds = (performance.now() - t0) / 1000;
      results.raw = { requestsPerSec: Math.round(N / seconds) };
      log(`raw: ${Math.round(N / seconds)} requests/s`);
    }

    // 2. Bare Temporal: one workflow of one activity doing the same signed POST, same worker settings.
    {
      const fetch = createWebhookFetch({ refusePrivateTargets: false });
      const connection = await NativeConnection.connect({ address: temporal.address });
      const worker = await Worker.create({
        connection,
        taskQueue: 'bench-bare',
        workflowsPath: require.resolve('./bare-workflow'),
        maxConcurrentActivityTaskExecutions: C,
        activities: {
          async signedPost(input: BarePost): Promise<number> {
            const headers = signRequest({ secrets: [SECRET], id: input.id, timestampSeconds: Math.floor(Date.now() / 1000), body: input.body });
            const res = await fetch(input.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: input.body });
            await res.arrayBuffer();
            return res.status;
          },
        },
      });
      const running = worker.run();
      const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
      receiver.reset();
      const started = new Map<string, number>();
      const t0 = performance.now();
      await forEachLimited(N, IN_FLIGHT, async (i) => {
        const id = `bare-${i}`;
        started.set(`/bare ${id}`, performance.now());
        await client.workflow.start('bareDelivery', {
          taskQueue: 'bench-bare',
          workflowId: id,
          args: [{ url: `${receiverUrl}/bare`, id, body: JSON.stringify({ id, type: 'card.viewed', data: { i } }) }],
        });
      });
      await receiver.waitFor(N);
      const seconds = (Math.max(...receiver.arrivals.values()) - t0) / 1000;
      const latencies = [...receiver.arrivals].map(([k, at]) => at - started.get(k)!);
      const cost = await countActions(client, [...started.keys()].slice(0, 20).map((k) => k.split(' ')[1]!), []);
      results.bareTemporal = { workflowsPerSec: Math.round(N / seconds), startToReceiptMs: lat(latencies), cost };
      log(`bare Temporal: ${Math.round(N / seconds)} workflows/s, start-to-receipt ${JSON.stringify(lat(latencies))} ms`);
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    }

    // 3–6. Hookline end to end: API and worker in this process, as `npm start` runs them.
    {
      const runtime = await createRuntime(config);
      const { sql, client } = runtime;
      const worker = await createHooklineWorker(runtime);
      const running = worker.run();
      const api = await serveApi(runtime, 0, '127.0.0.1');
      const admin = new HooklineClient({ baseUrl: api.url, token: config.adminToken! });

      const tenantWith = async (name: string, endpoints: number) => {
        const { id, apiKey } = await admin.createTenant({ id: `${name}-${randomBytes(3).toString('hex')}` });
        const t = admin.withToken(apiKey);
        const ids: string[] = [];
        await forEachLimited(endpoints, 16, async (e) => void ids.push((await t.createWebhook({ url: `${receiverUrl}/${name}/${e}` })).id));
        return { id, ids };
      };

      const publishRun = async (tenantId: string, endpoints: number, events: number, label: string, ratePerSec?: number) => {
        receiver.reset();
        const published = new Map<string, number>();
        const cpu0 = process.cpuUsage();
        let peakRss = process.memoryUsage().rss;
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
        const t0 = performance.now();
        await forEachLimited(events, IN_FLIGHT, async (i) => {
          const id = `${label}-${i}`;
          published.set(id, performance.now());
          await admin.publish({ tenantId, id, type: 'card.viewed', data: { i, note: 'benchmark payload' } });
        }, ratePerSec);
        await receiver.waitFor(events * endpoints);
        const seconds = (Math.max(...receiver.arrivals.values()) - t0) / 1000;
        clearInterval(sampler);
        const cpu = process.cpuUsage(cpu0);
        const latencies = [...receiver.arrivals].map(([k, at]) => at - published.get(k.split(' ')[1]!)!);
        return {
          events, endpoints, deliveries: events * endpoints,
          deliveriesPerSec: Math.round((events * endpoints) / seconds),
          publishToReceiptMs: lat(latencies),
          processCpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
          processCpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
          peakRssMiB: Math.round(peakRss / 2 ** 20),
        };
      };

      const one = await tenantWith('m1', 1);
      const m1 = await publishRun(one.id, 1, N, 'm1');
      log(`hookline M=1: ${m1.deliveriesPerSec} deliveries/s, publish-to-receipt ${JSON.stringify(m1.publishToReceiptMs)} ms`);
      const ten = await tenantWith('m10', 10);
      const m10 = await publishRun(ten.id, 10, Math.ceil(N / 10), 'm10');
      log(`hookline M=10: ${m10.deliveriesPerSec} deliveries/s, publish-to-receipt ${JSON.stringify(m10.publishToReceiptMs)} ms`);
      const halfRate = Math.max(1, Math.floor(m1.deliveriesPerSec / 2));
      const half = await tenantWith('half', 1);
      const atHalf = await publishRun(half.id, 1, Math.ceil(N / 2), 'half', halfRate);
      log(`hookline at half the max rate (${halfRate}/s): publish-to-receipt ${JSON.stringify(atHalf.publishToReceiptMs)} ms`);

      const wide = await tenantWith('fan', FANOUT);
      receiver.reset();
      const f0 = performance.now();
      await admin.publish({ tenantId: wide.id, id: 'fan-0', type: 'card.viewed', data: {} });
      await receiver.waitFor(FANOUT);
      const fanOutSeconds = Math.round((Math.max(...receiver.arrivals.values()) - f0) / 100) / 10;
      log(`fan-out to ${FANOUT} endpoints: last receipt after ${fanOutSeconds} s`);

      // Temporal cost of first-try deliveries, from their histories and their endpoint's.
      const [sampleDeliveries] = await Promise.all([
        sql<{ id: string }[]>`select id from deliveries where endpoint_id = ${one.ids[0]!} order by seq limit 50`,
      ]);
      const cost: ActionCount = await countActions(client, sampleDeliveries.map((d) => workflowIds.delivery(d.id)), [workflowIds.endpoint(one.ids[0]!)], N);
      log(`cost: ${cost.actionsPerDelivery} billable actions and ${cost.historyEventsPerDelivery} history events per first-try delivery`);

      results.hookline = { m1, m10, halfRate: { ratePerSec: halfRate, ...atHalf }, fanOut: { endpoints: FANOUT, secondsToLastReceipt: fanOutSeconds }, cost };
      await api.close();
      worker.shutdown();
      await running;
      await runtime.close();
    }
  } finally {
    await receiver.close();
    await temporal.stop();
    await dropDatabase(dbUrl.toString(), (u) => createSql(u, { max: 1 })).catch(() => {});
  }
  report(results);
}

function report(r: Record<string, any>): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const h = r.hookline;
  const bare = r.bareTemporal;
  const rows = [
    ['Raw HTTP (sign + POST)', `${r.raw.requestsPerSec} req/s`, '', ''],
    ['Bare Temporal (1 workflow, 1 activity)', `${bare.workflowsPerSec} wf/s`, fmt(bare.startToReceiptMs), `${bare.cost.actionsPerDelivery}`],
    ['Hookline, M=1', `${h.m1.deliveriesPerSec} deliveries/s`, fmt(h.m1.publishToReceiptMs), `${h.cost.actionsPerDelivery}`],
    ['Hookline, M=10', `${h.m10.deliveriesPerSec} deliveries/s`, fmt(h.m10.publishToReceiptMs), ''],
    [`Hookline at half rate (${h.halfRate.ratePerSec}/s)`, '', fmt(h.halfRate.publishToReceiptMs), ''],
    [`Fan-out to ${h.fanOut.endpoints} endpoints`, `${h.fanOut.secondsToLastReceipt} s to last receipt`, '', ''],
  ];
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const lines = [
    `Benchmark ${r.date.slice(0, 10)}: N=${r.size}, worker concurrency ${r.workerConcurrency}, ${r.cores} cores, Node ${r.node}, eager activities ${r.eagerActivities === false ? 'off' : 'on'}`,
    '',
    '| Run | Throughput | Latency p50 / p95 / p99 (ms) | Actions per delivery |',
    '|---|---|---|---|',
    ...rows.map((c) => `| ${c.join(' | ')} |`),
    '',
    `Hookline / bare Temporal: ${ratio(h.m1.deliveriesPerSec, bare.workflowsPerSec)}× (M=1), ${ratio(h.m10.deliveriesPerSec, bare.workflowsPerSec)}× (M=10). ` +
      `Hookline / raw: ${ratio(h.m1.deliveriesPerSec, r.raw.requestsPerSec)}×.`,
    `History events per first-try delivery: ${h.cost.historyEventsPerDelivery} (bare: ${bare.cost.historyEventsPerDelivery}).`,
    `Process (API + worker + receiver) during M=1: ${h.m1.processCpuPercentOfOneCore}% of one core, peak RSS ${h.m1.peakRssMiB} MiB.`,
    '',
    'Targets:',
    `- ≥ 0.6× bare Temporal: ${ratio(h.m1.deliveriesPerSec, bare.workflowsPerSec) >= 0.6 ? 'met' : 'not met'}`,
    `- p99 ≤ 250 ms at half the max rate: ${h.halfRate.publishToReceiptMs.p99 <= 250 ? 'met' : 'not met'} (${h.halfRate.publishToReceiptMs.p99} ms)`,
    `- ≤ 3 billable actions per first-try delivery: ${h.cost.actionsPerDelivery <= 3 ? 'met' : 'not met'} (${h.cost.actionsPerDelivery})`,
    `- fan-out to 1,000 endpoints ≤ 10 s: ${h.fanOut.endpoints >= 1000 && h.fanOut.secondsToLastReceipt <= 10 ? 'met' : 'not met'} (${h.fanOut.secondsToLastReceipt} s)`,
  ];
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/[:.]/g, '-').slice(0, 19);
  writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(r, null, 2));
  writeFileSync(path.join(dir, `${stamp}.md`), lines.join('\n') + '\n');
  console.log(`\n${lines.join('\n')}\n\nbench: written to bench/results/${stamp}.{json,md}`);
}

const fmt = (l: { p50: number; p95: number; p99: number }) => `${l.p50} / ${l.p95} / ${l.p99}`;

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
