import { parseArgs } from 'node:util';
import globalSetup from '../test/harness/global-setup';
import globalTeardown from '../test/harness/global-teardown';
import { startReceiver } from '../tools/testkit/receiver';
import { startStack } from '../tools/testkit/stack';
import { countActions } from './temporal-cost';

/**
 * `npx tsx bench/flow-modes.ts [--size N] [--rate R] [--modes default,rate,fifo,hanging,flood]`: deliveries/s and billable Temporal actions per
 * first-try delivery for each flow-control mode of an endpoint (issue 14): default, rate-limited,
 * FIFO. One in-process stack (API + worker) on a dev server and a database of its own, as the tests
 * run it; a receiver that answers 200 at once. Small on purpose: it measures the modes' cost, not
 * the machine (`npm run bench` does that).
 */
const { values: flags } = parseArgs({
  options: {
    size: { type: 'string', default: '200' },
    rate: { type: 'string', default: '10' },
    modes: { type: 'string', default: 'default,rate,fifo,hanging' },
    'flood-events': { type: 'string', default: '200' },
    'flood-seconds': { type: 'string', default: '30' },
    // Settings for the stack beside the bench's own, e.g. `--env HOOKLINE_LOCAL_FIRST_ATTEMPT=false,HOOKLINE_CIRCUIT_FAILURES=5`.
    env: { type: 'string', default: '' },
  },
});
const MODES = flags.modes.split(',');
const N = Number(flags.size);
const RATE = Number(flags.rate);

async function main(): Promise<void> {
  await globalSetup();
  const extra = Object.fromEntries(flags.env.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const stack = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '100', HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '10', ...extra });
  const receiver = await startReceiver(200);
  const rows: string[] = [];
  try {
    const modes = [
      { key: 'default', name: 'default', settings: {} },
      { key: 'rate', name: `rate-limited (${RATE}/s)`, settings: { rateLimit: RATE } },
      { key: 'fifo', name: 'FIFO', settings: { ordering: 'fifo' as const } },
    ].filter((m) => MODES.includes(m.key));
    if (MODES.includes('hanging')) rows.push(await hangingNeighbour(stack));
    if (MODES.includes('flood')) rows.push(await floodNeighbour(stack, Number(flags['flood-events']), Number(flags['flood-seconds'])));
    for (const mode of modes) {
      const tenant = await stack.newTenant('bench');
      const endpoint = await tenant.api.createWebhook({ url: receiver.url, ...mode.settings });
      receiver.requests.length = 0;
      const t0 = Date.now();
      // Published by 8 publishers at once, in the order each sends.
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < N) {
            const i = next++;
            await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });
          }
        }),
      );
      const got = await receiver.waitForRequests(N, 600_000);
      const seconds = (got[N - 1]!.at - t0) / 1000;
      // Let the last outcomes and hand-overs land before reading the histories.
      await new Promise((r) => setTimeout(r, 2_000));
      const ids = (await stack.sql<{ id: string }[]>`select id from deliveries where endpoint_id = ${endpoint.id} order by seq`).map((d) => `delivery-${d.id}`);
      const cost = await countActions(stack.client, ids, [`endpoint-${endpoint.id}`], N);
      const breakdown = Object.entries(cost.breakdown).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
      const row = `| ${mode.name} | ${N} | ${(N / seconds).toFixed(1)} | ${cost.actionsPerDelivery} (${breakdown}) | ${cost.historyEventsPerDelivery} |`;
      console.log(row);
      rows.push(row);
    }
  } finally {
    await receiver.close();
    await stack.stop();
    await globalTeardown();
  }
  console.log(['', '| mode | deliveries | deliveries/s | billable actions per delivery | history events per delivery |', '|---|---|---|---|---|', ...rows].join('\n'));
}

/**
 * Fair share: one tenant's endpoint that never answers, with 300 sends queued, and another tenant's
 * publish → receipt latency meanwhile (100 events, one at a time).
 */
async function hangingNeighbour(stack: Awaited<ReturnType<typeof startStack>>): Promise<string> {
  const hang = await startReceiver('hang');
  const quiet = await startReceiver(200);
  try {
    const noisy = await stack.newTenant('noisy');
    await noisy.api.createWebhook({ url: hang.url });
    for (let i = 0; i < 300; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { i: i + j } })));
    await hang.waitForRequests(10, 60_000);
    const other = await stack.newTenant('other');
    await other.api.createWebhook({ url: quiet.url });
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = Date.now();
      await stack.admin.publish({ tenantId: other.id, type: 'card.viewed', data: { i } });
      const [r] = (await quiet.waitForRequests(i + 1, 30_000)).slice(i);
      latencies.push(r!.at - t0);
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
    const row = `| other tenant while an endpoint that never answers has 300 sends queued (its receiver got ${hang.requests.length} requests meanwhile) | 100 | – | publish→receipt p50 ${q(50)} ms, p99 ${q(99)} ms | – |`;
    console.log(row);
    return row;
  } finally {
    await hang.close();
    await quiet.close();
  }
}

/** p50 and p99 of a list of milliseconds. */
function quantiles(ms: number[]): { p50: number; p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: q(50), p99: q(99) };
}

/**
 * Issue 23's scenario: one tenant floods five endpoints that never answer (`events` × 5 deliveries)
 * and asks for 30 recoveries of a failing endpoint at once (distinct Idempotency-Keys, 20 failed
 * deliveries), while another tenant publishes 5 events a second for `seconds`: its publish → receipt.
 */
async function floodNeighbour(stack: Awaited<ReturnType<typeof startStack>>, events: number, seconds: number): Promise<string> {
  const hang = await startReceiver('hang');
  const failing = await startReceiver(500);
  const quiet = await startReceiver(200);
  try {
    const noisy = await stack.newTenant('flood');
    const broken = await noisy.api.createWebhook({ url: failing.url, events: ['contact.saved'] });
    await Promise.all(Array.from({ length: 20 }, (_, i) => stack.admin.publish({ tenantId: noisy.id, type: 'contact.saved', data: { i } })));
    await failing.waitForRequests(20 * 4, 120_000);
    for (let i = 0; i < 5; i++) await noisy.api.createWebhook({ url: `${hang.url}?endpoint=${i}`, events: ['card.viewed'] });
    const other = await stack.newTenant('other');
    await other.api.createWebhook({ url: quiet.url });

    for (let i = 0; i < events; i += 50) await Promise.all(Array.from({ length: Math.min(50, events - i) }, (_, j) => stack.admin.publish({ tenantId: noisy.id, type: 'card.viewed', data: { i: i + j } })));
    failing.fallback = 200;
    const recoveries = await Promise.all(
      Array.from({ length: 30 }, (_, i) => noisy.api.recoverWebhook(broken.id, { since: '1970-01-01T00:00:00Z' }, { idempotencyKey: `bench-${i}` })),
    );
    const sent: { id: string; at: number }[] = [];
    const t0 = Date.now();
    for (let i = 0; Date.now() - t0 < seconds * 1000; i++) {
      const due = t0 + i * 200;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      sent.push({ id: (await stack.admin.publish({ tenantId: other.id, type: 'card.viewed', data: { i } })).id, at: Date.now() });
    }
    const got = await quiet.waitForRequests(sent.length, 120_000);
    const arrival = new Map(got.map((r) => [(JSON.parse(r.body) as { id: string }).id, r.at]));
    const { p50, p99 } = quantiles(sent.map((s) => arrival.get(s.id)! - s.at));
    // Where the waits fall in the run: the slowest publish→receipt in each 5-second window.
    console.log(`slowest per 5 s: ${Array.from({ length: Math.ceil(seconds / 5) }, (_, w) => Math.max(0, ...sent.filter((s) => s.at - t0 >= w * 5_000 && s.at - t0 < (w + 1) * 5_000).map((s) => arrival.get(s.id)! - s.at))).join(' ')} ms`);
    // Where the slowest waited: publish → workflow start (the outbox and the relay), start → receipt (engine and worker).
    const byEvent = new Map((await stack.sql<{ id: string; eventId: string }[]>`select id, event_id from deliveries where tenant_id = ${other.id}`).map((d) => [d.eventId, d.id]));
    const slowest = [...sent].sort((a, b) => arrival.get(b.id)! - b.at - (arrival.get(a.id)! - a.at)).slice(0, 5);
    for (const s of slowest) {
      const history = await stack.client.workflow.getHandle(`delivery-${byEvent.get(s.id)}`).fetchHistory();
      const started = Number(history.events![0]!.eventTime!.seconds) * 1000 + Math.round((history.events![0]!.eventTime!.nanos ?? 0) / 1e6);
      console.log(`slow: at +${s.at - t0} ms, publish→start ${started - s.at} ms, start→receipt ${arrival.get(s.id)! - started} ms`);
    }
    const slotWaits = (await stack.metrics.sendSlotWait.get()).values.filter((v) => v.metricName?.endsWith('_count'));
    console.log(`send slots: ${slotWaits.map((v) => `${String(v.labels.outcome)} ${v.value}`).join(', ')}`);
    const distinct = new Set(recoveries.map((r) => r.recoveryId)).size;
    const row = `| other tenant at 5 events/s while one floods ${events * 5} deliveries to receivers that never answer and asks 30 recoveries at once (${distinct} ran; ${failing.requests.length - 80} re-sends of 20 failed) | ${sent.length} | – | publish→receipt p50 ${p50} ms, p99 ${p99} ms | – |`;
    console.log(row);
    return row;
  } finally {
    await Promise.all([hang.close(), failing.close(), quiet.close()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
