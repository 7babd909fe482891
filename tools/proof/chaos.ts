import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { startCluster, deliveryCounts, type Cluster } from './cluster';
import { forEachLimited } from '../../infra/concurrency';
import { waitFor } from '../testkit/wait';
import { sleep } from './processes';
import { ProofReceiver } from './receiver';

/**
 * `npm run test:chaos`: publishes CHAOS_EVENTS events (default 2000) over CHAOS_TENANTS tenants
 * (3 endpoints each) to receivers that fail a third of the time, while workers are SIGKILLed and
 * restarted and the Temporal dev server is restarted once; then proves every (event, endpoint)
 * pair was received and logged as `success`, with duplicates only next to a worker crash.
 */
const EVENTS = Number(process.env.CHAOS_EVENTS ?? 2000);
const TENANTS = Number(process.env.CHAOS_TENANTS ?? 3);
const WORKERS = 2;
const DRAIN_SECONDS = Number(process.env.CHAOS_DRAIN_SECONDS ?? 300);
const TYPES = ['card.viewed', 'signer.created', 'policy.violated', 'contact.saved'] as const;
const SUBSCRIPTIONS: string[][] = [['*'], ['card.viewed', 'signer.created'], ['policy.violated']];

interface Endpoint { key: string; id: string; tenantId: string; events: string[] }

async function main(): Promise<void> {
  const started = Date.now();
  const receiver = new ProofReceiver();
  const receiverBase = await receiver.start();
  console.log(`chaos: ${EVENTS} events, ${TENANTS} tenants × ${SUBSCRIPTIONS.length} endpoints, ${WORKERS} workers`);
  const cluster = await startCluster({
    name: 'chaos',
    workers: WORKERS,
    env: {
      HOOKLINE_RETRY_SCHEDULE: '200ms,500ms,1s,2s,3s,5s,5s,5s,5s,5s,5s,5s',
      HOOKLINE_REQUEST_TIMEOUT_MS: '1000',
      HOOKLINE_DISABLE_AFTER_FAILURES: '1000000',
      HOOKLINE_WORKER_CONCURRENCY: '50',
      DATABASE_POOL_SIZE: '10',
    },
  });
  console.log(`chaos: stack up in ${Math.round((Date.now() - started) / 1000)} s; logs in ${path.relative(process.cwd(), cluster.dir)}`);
  let ok = false;
  try {
    ok = await run(cluster, receiver, receiverBase);
  } finally {
    await receiver.close();
    await cluster.stop({ dropDatabase: ok });
  }
  console.log(`chaos: ${ok ? 'PASSED' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(ok ? 0 : 1);
}

async function run(cluster: Cluster, receiver: ProofReceiver, receiverBase: string): Promise<boolean> {
  const secrets: string[] = [cluster.adminToken, cluster.encryptionKey];
  const endpoints: Endpoint[] = [];
  const tenants: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const { id, apiKey } = await cluster.admin.createTenant({ id: `chaos-${t}` });
    tenants.push(id);
    secrets.push(apiKey);
    const api = cluster.admin.withToken(apiKey);
    for (const [e, events] of SUBSCRIPTIONS.entries()) {
      const key = `t${t}e${e}`;
      const created = await api.createWebhook({ url: receiver.urlFor(receiverBase, key), events });
      receiver.secrets.set(key, created.secret);
      secrets.push(created.secret);
      endpoints.push({ key, id: created.id, tenantId: id, events });
    }
  }

  // Chaos: kill a worker every few seconds, restart Temporal once, restart whatever died.
  receiver.mode = 'flaky';
  const crashes: number[] = [];
  let chaosOn = true;
  let temporalRestarts = 0;
  let workerKills = 0;
  const accepted: { id: string; tenantId: string; type: string }[] = [];
  const chaos = (async () => {
    let round = 0;
    while (chaosOn) {
      await sleep(3_000 + (round % 4) * 1_000);
      if (!chaosOn) break;
      round += 1;
      if (temporalRestarts === 0 && accepted.length >= EVENTS * 0.4) {
        console.log(`chaos: restarting the Temporal dev server (${accepted.length} events published)`);
        crashes.push(Date.now());
        await cluster.restartTemporal();
        temporalRestarts += 1;
        continue;
      }
      const i = round % WORKERS;
      crashes.push(Date.now());
      await cluster.workers[i]!.kill('SIGKILL'); // the supervisor below starts a new one
      workerKills += 1;
    }
  })();
  // Starts a worker in place of any that died (killed above, or crashed while Temporal was down).
  const supervisor = setInterval(() => {
    for (const [i, w] of cluster.workers.entries()) if (!w.running()) cluster.startWorker(i);
  }, 1_000);

  // Publish: eight in flight; a 5xx or a dropped connection is retried with the same id.
  let publishRetries = 0;
  const publishStarted = Date.now();
  await forEachLimited(EVENTS, 8, async (i) => {
    const event = { id: `evt-${i}`, tenantId: tenants[i % TENANTS]!, type: TYPES[(i * 7) % TYPES.length]! };
    for (;;) {
      try {
        await cluster.admin.publish({ ...event, data: { i, note: 'chaos' } });
        accepted.push(event);
        return;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status !== undefined && status < 500) throw err;
        publishRetries += 1;
        await sleep(500);
      }
    }
  });
  const publishSeconds = (Date.now() - publishStarted) / 1000;
  console.log(`chaos: published ${accepted.length} in ${publishSeconds.toFixed(1)} s (${publishRetries} publish retries)`);
  while (temporalRestarts === 0) await sleep(500); // a short run still gets its Temporal restart
  chaosOn = false;
  await chaos;
  receiver.mode = 'healthy';

  // Everything that should arrive.
  const expected: string[] = [];
  for (const e of accepted) {
    for (const ep of endpoints) {
      if (ep.tenantId === e.tenantId && (ep.events.includes('*') || ep.events.includes(e.type))) expected.push(`${ep.key} ${e.id}`);
    }
  }
  console.log(`chaos: waiting for ${expected.length} deliveries to settle`);
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  const temporal = new Client({ connection });
  const runningDeliveries = async () => {
    const query = `TaskQueue = "${cluster.taskQueue}" AND WorkflowType = "deliveryWorkflow" AND ExecutionStatus = "Running"`;
    return (await temporal.workflow.count(query)).count;
  };
  await waitFor(
    async () => {
      const counts = await deliveryCounts(cluster.databaseUrl);
      return !counts.pending && expected.every((k) => receiver.delivered.has(k)) && (await runningDeliveries()) === 0;
    },
    { what: 'every delivery to settle', timeoutMs: DRAIN_SECONDS * 1000, intervalMs: 1_000 },
  ).catch((err: Error) => console.error(`chaos: ${err.message}`));

  clearInterval(supervisor);

  // Verify against the log, the receivers and Temporal.
  const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
  const rows = await sql<{ endpointId: string; eventId: string; status: string; recordedOk: number }[]>`
    select d.endpoint_id as "endpointId", d.event_id as "eventId", d.status,
           (select count(*)::int from attempts a where a.delivery_id = d.id and a.response_status between 200 and 299) as "recordedOk"
    from deliveries d where d.kind = 'event'`;
  await sql.end();
  const keyOf = new Map(endpoints.map((e) => [e.id, e.key]));
  const logged = new Map(rows.map((r) => [`${keyOf.get(r.endpointId)} ${r.eventId}`, r.status]));
  const recordedOk = new Map(rows.map((r) => [`${keyOf.get(r.endpointId)} ${r.eventId}`, r.recordedOk]));
  const lost = expected.filter((k) => !receiver.delivered.has(k));
  const notSuccess = expected.filter((k) => logged.get(k) !== 'success');
  const expectedSet = new Set(expected);
  const unexpected = [...receiver.delivered.keys()].filter((k) => !expectedSet.has(k));
  const duplicates = [...receiver.delivered.entries()].filter(([, times]) => times.length > 1);
  // A duplicate is a crash between send and record when the log holds fewer 2xx attempts than the
  // receiver gave 2xx answers (a record is only ever skipped by a dying process) and a worker kill
  // or Temporal restart came after the first answer. Anything else would be a bug.
  const unexplained = duplicates.filter(
    ([key, times]) => (recordedOk.get(key) ?? 0) >= times.length || !crashes.some((c) => c >= times[0]!),
  );
  const running = await runningDeliveries();
  await connection.close();
  const logs = cluster.logs();
  const leaked = secrets.filter((s) => logs.includes(s)).length;

  const report = {
    events: EVENTS, accepted: accepted.length, expectedDeliveries: expected.length,
    delivered: expected.length - lost.length, lost: lost.length, loggedNotSuccess: notSuccess.length,
    duplicates: duplicates.length, unexplainedDuplicates: unexplained.length, unexpectedDeliveries: unexpected.length,
    runningDeliveryWorkflows: running, badSignatures: receiver.badSignatures, secretsInLogs: leaked,
    workerKills, temporalRestarts, publishRetries, failuresServed: receiver.failuresServed, requestsReceived: receiver.requests,
  };
  writeFileSync(path.join(cluster.dir, 'report.json'), JSON.stringify(report, null, 2));
  console.table(report);
  const ok =
    accepted.length === EVENTS && lost.length === 0 && notSuccess.length === 0 && unexplained.length === 0 &&
    unexpected.length === 0 && running === 0 && receiver.badSignatures === 0 && leaked === 0 && temporalRestarts === 1;
  if (!ok) {
    console.error('chaos: first lost', lost.slice(0, 5), 'first not success', notSuccess.slice(0, 5).map((k) => `${k} ${logged.get(k)}`));
    console.error('chaos: first unexplained duplicates', unexplained.slice(0, 5));
  }
  return ok;
}

main().catch((err) => {
  console.error(`chaos failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
