import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deliveryCounts, engineOption, outboxRows, startCluster } from './cluster';
import { waitFor } from '../testkit/wait';
import { rssMiB, sleep } from './processes';
import { ProofReceiver } from './receiver';
import { quantile } from './stats';

/**
 * `npm run test:load`: publishes LOAD_RATE events/s (default 10) for LOAD_SECONDS (default 180)
 * to 2 endpoints answering at once, samples the API's and the worker's resident memory, and
 * checks that nothing is lost and that memory stays flat: the median of the last third of the run
 * may exceed the median of the second third by at most LOAD_MAX_GROWTH_MIB (default 40).
 * The API and the worker run with V8's old generation capped at LOAD_HEAP_MIB (default 128), as the
 * Helm chart caps them below their memory limits: under a far limit V8 collects lazily and a healthy
 * worker's RSS climbs for minutes (about 2 MiB/s at 10 deliveries/s here), which hides a leak in
 * warm-up. Under the cap a healthy process is flat within seconds, and a leak of JavaScript memory
 * ends the process (nothing delivered after it: the run fails) instead of looking like warm-up.
 * `--engine postgres` (or HOOKLINE_TEST_ENGINE=postgres) runs on the real Temporal server.
 */
const ENGINE = engineOption();
const RATE = Number(process.env.LOAD_RATE ?? 10);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 180);
const MAX_GROWTH_MIB = Number(process.env.LOAD_MAX_GROWTH_MIB ?? 40);
const HEAP_MIB = Number(process.env.LOAD_HEAP_MIB ?? 128);
const ENDPOINTS = 2;

const median = (xs: number[]) => quantile(xs, 0.5);

async function main(): Promise<void> {
  const wallStarted = Date.now();
  const receiver = new ProofReceiver();
  const base = await receiver.start();
  // Hookline's database is on the shared Postgres: at most 10 connections a process.
  const cluster = await startCluster({
    name: 'load',
    workers: 1,
    engine: ENGINE,
    env: { HOOKLINE_RETRY_SCHEDULE: '1s,5s,25s', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}` },
  });
  console.log(`load: ${RATE} events/s for ${SECONDS} s to ${ENDPOINTS} endpoints, engine ${ENGINE}, heap cap ${HEAP_MIB} MiB; logs in ${path.relative(process.cwd(), cluster.dir)}`);
  let ok = false;
  try {
    const { id: tenantId, apiKey } = await cluster.admin.createTenant({ id: 'load' });
    const api = cluster.admin.withToken(apiKey);
    for (let e = 0; e < ENDPOINTS; e++) {
      const created = await api.createWebhook({ url: receiver.urlFor(base, `e${e}`) });
      receiver.secrets.set(`e${e}`, created.secret);
    }

    const samples: { t: number; api?: number; worker?: number }[] = [];
    const sampler = setInterval(() => {
      samples.push({ t: Date.now(), api: rssMiB(cluster.api, 'bin/api.ts'), worker: rssMiB(cluster.workers[0]!, 'bin/worker.ts') });
    }, 2_000);

    // A fixed rate: each tick publishes what is due, without waiting for earlier publishes.
    const started = Date.now();
    const inflight = new Set<Promise<void>>();
    let published = 0;
    let failed = 0;
    const latencies: number[] = [];
    while (Date.now() - started < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      while (published < due) {
        const i = published++;
        const t0 = performance.now();
        const p = cluster.admin
          .publish({ tenantId, id: `evt-${i}`, type: 'card.viewed', data: { i } })
          .then(() => void latencies.push(performance.now() - t0), () => void (failed += 1))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(20);
    }
    await Promise.all(inflight);
    const expected = published * ENDPOINTS;
    await waitFor(async () => !(await deliveryCounts(cluster.databaseUrl)).pending && receiver.delivered.size >= expected, { what: 'every delivery', timeoutMs: 120_000, intervalMs: 1_000 })
      .catch((err: Error) => console.error(`load: ${err.message}`));
    clearInterval(sampler);

    const third = Math.floor(samples.length / 3);
    const mid = samples.slice(third, 2 * third);
    const last = samples.slice(2 * third);
    const growth = (k: 'api' | 'worker') => median(last.map((s) => s[k] ?? 0)) - median(mid.map((s) => s[k] ?? 0));
    const counts = await deliveryCounts(cluster.databaseUrl);
    const outboxLeft = await outboxRows(cluster.databaseUrl);
    const report = {
      engine: ENGINE, rate: RATE, seconds: SECONDS, published, publishFailures: failed, expectedDeliveries: expected,
      received: receiver.delivered.size, lost: expected - receiver.delivered.size, success: counts.success ?? 0, outboxLeft,
      publishP50ms: Math.round(median(latencies)), publishP99ms: Math.round(quantile(latencies, 0.99)),
      apiRssStartMiB: Math.round(samples[0]?.api ?? 0), apiRssEndMiB: Math.round(samples.at(-1)?.api ?? 0), apiGrowthMiB: Math.round(growth('api')),
      workerRssStartMiB: Math.round(samples[0]?.worker ?? 0), workerRssEndMiB: Math.round(samples.at(-1)?.worker ?? 0), workerGrowthMiB: Math.round(growth('worker')),
    };
    writeFileSync(path.join(cluster.dir, 'report.json'), JSON.stringify({ report, samples }, null, 2));
    console.table(report);
    ok = failed === 0 && report.lost === 0 && outboxLeft === 0 && report.success === expected && report.apiGrowthMiB <= MAX_GROWTH_MIB && report.workerGrowthMiB <= MAX_GROWTH_MIB;
  } finally {
    await receiver.close();
    await cluster.stop({ dropDatabase: true });
  }
  console.log(`load: ${ok ? 'PASSED' : 'FAILED'} in ${Math.round((Date.now() - wallStarted) / 1000)} s (engine ${ENGINE})`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`load failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
