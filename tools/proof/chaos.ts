import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import postgres from 'postgres';
import { engineOption, startCluster, type Cluster, type Engine } from './cluster';
import { forEachLimited } from '../../infra/concurrency';
import { workflowIds } from '../../temporal/workflows/types';
import { waitFor } from '../testkit/wait';
import { httpOk, sleep, type Proc } from './processes';
import { ProofReceiver } from './receiver';

/**
 * `npm run test:chaos [-- --engine postgres]`: publishes CHAOS_EVENTS events (default 2000) over
 * CHAOS_TENANTS tenants (3 endpoints each) to receivers that fail a third of the time, while
 *   - the API is SIGKILLed every CHAOS_API_KILL_EVERY_MS (8 s) during publishing and restarted (the
 *     publisher retries a failed publish with the same event id, as a producer would),
 *   - workers are SIGKILLed and restarted every few seconds,
 *   - Hookline's Postgres (a cluster of the run's own, never the shared one) is crashed once
 *     (`immediate`) for CHAOS_POSTGRES_DOWN_MS (4 s), at 25 % accepted,
 *   - the Temporal server is restarted once at 55 % accepted (dev engine: SIGTERM and start;
 *     postgres engine, HOOKLINE_TEST_ENGINE=postgres: SIGKILL and start on the same databases);
 * then proves: lost 0 (every (event, endpoint) pair of every event answered 202 received and
 * `success` in the log), stranded 0 (no delivery pending without an attempt and a running
 * workflow, and the outbox empty), every signature good, no secret in any process log, and
 * duplicates only where a crash fell between the receiver's first 2xx and the second send, or where
 * the log shows the attempt the receiver answered as timed out on Hookline's side.
 */
const ENGINE: Engine = engineOption();
const EVENTS = Number(process.env.CHAOS_EVENTS ?? 2000);
const TENANTS = Number(process.env.CHAOS_TENANTS ?? 3);
const WORKERS = 2;
/**
 * Longer than the delivery activity's longest retry interval (5 min, temporal/workflows/delivery.ts)
 * plus its heartbeat timeout: a retry after a crash can come that late once an activity has failed
 * often (Temporal's backoff grows with the attempt count), and late is not lost.
 */
const DRAIN_SECONDS = Number(process.env.CHAOS_DRAIN_SECONDS ?? 420);
/** Publishing is paced over this long, so that every kind of chaos lands while it runs. */
const PUBLISH_SECONDS = Number(process.env.CHAOS_PUBLISH_SECONDS ?? Math.max(30, EVENTS / 20));
const API_KILL_EVERY_MS = Number(process.env.CHAOS_API_KILL_EVERY_MS ?? 8_000);
const POSTGRES_DOWN_MS = Number(process.env.CHAOS_POSTGRES_DOWN_MS ?? 4_000);
/** A duplicate is explained by a crash in [first 2xx − this, second send]: a request already in the socket when its worker died. */
const CRASH_SLACK_MS = 2_000;
/** Slack on attempt windows (the worker's and the receiver's clocks are the same machine's). */
const TIMING_SLACK_MS = 250;
const TYPES = ['card.viewed', 'signer.created', 'policy.violated', 'contact.saved'] as const;
const SUBSCRIPTIONS: string[][] = [['*'], ['card.viewed', 'signer.created'], ['policy.violated']];

interface Endpoint { key: string; id: string; tenantId: string; events: string[] }
interface Published { id: string; tenantId: string; type: string }
type CrashKind = 'worker' | 'temporal';

const say = (line: string) => console.log(`chaos: ${line}`);
/** Restarts what died; main stops it before the cluster, whatever happened. */
let supervisor: NodeJS.Timeout | undefined;

async function main(): Promise<void> {
  const started = Date.now();
  const receiver = new ProofReceiver();
  const receiverBase = await receiver.start();
  say(`${EVENTS} events over ${PUBLISH_SECONDS} s, ${TENANTS} tenants × ${SUBSCRIPTIONS.length} endpoints, ${WORKERS} workers, engine ${ENGINE}`);
  const cluster = await startCluster({
    name: 'chaos',
    workers: WORKERS,
    engine: ENGINE,
    privatePostgres: true,
    log: say,
    env: {
      HOOKLINE_RETRY_SCHEDULE: '200ms,500ms,1s,2s,3s,5s,5s,5s,5s,5s,5s,5s',
      HOOKLINE_REQUEST_TIMEOUT_MS: '1000',
      HOOKLINE_DISABLE_AFTER_FAILURES: '1000000',
      // Receivers fail a third of the time at random: neither disabling nor a circuit's cool-down is what this proof is about.
      HOOKLINE_CIRCUIT_FAILURES: '1000000',
      HOOKLINE_WORKER_CONCURRENCY: '50',
      DATABASE_POOL_SIZE: '10',
    },
  });
  say(`stack up in ${Math.round((Date.now() - started) / 1000)} s; logs in ${path.relative(process.cwd(), cluster.dir)}`);
  let ok = false;
  try {
    ok = await run(cluster, receiver, receiverBase, started);
  } finally {
    clearInterval(supervisor);
    await receiver.close();
    await cluster.stop({ dropDatabase: ok });
  }
  say(`${ok ? 'PASSED' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s (engine ${ENGINE}, ${EVENTS} events)`);
  process.exit(ok ? 0 : 1);
}

async function run(cluster: Cluster, receiver: ProofReceiver, receiverBase: string, runStarted: number): Promise<boolean> {
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

  receiver.mode = 'flaky';
  const crashes: { at: number; kind: CrashKind }[] = [];
  const killedByUs = new Set<Proc>();
  const selfExits: { name: string; code: number | null; at: number; reason: string }[] = [];
  const postgresWindows: { downAt: number; upAt: number }[] = [];
  const accepted = new Map<string, Published>();
  let temporalRestarts = 0;
  let workerKills = 0;
  let apiKills = 0;
  let apiStarts = 0;
  let publishing = true;
  let chaosOn = true;

  // Starts whatever is not running: killed below, or exited on its own (noted: that is a finding).
  const supervise = () => {
    for (const p of [cluster.api, ...cluster.workers]) {
      if (!p.running() && !killedByUs.has(p)) {
        killedByUs.add(p); // noted once
        void p.exited.then((code) => selfExits.push({ name: p.name, code, at: Date.now(), reason: exitReason(path.join(cluster.dir, `${p.name}.log`)) }));
      }
    }
    for (const [i, w] of cluster.workers.entries()) if (!w.running()) cluster.startWorker(i);
    if (!cluster.api.running()) {
      cluster.startApi();
      apiStarts += 1;
    }
  };
  supervisor = setInterval(supervise, 1_000);

  // Workers killed every few seconds; Postgres crashed once (at 25 % accepted) and Temporal restarted
  // once (at 55 %), each as soon as it is due, so that both land while publishing and delivering.
  const postgresDue = () => postgresWindows.length === 0 && accepted.size >= EVENTS * 0.25;
  const temporalDue = () => temporalRestarts === 0 && accepted.size >= EVENTS * 0.55;
  const chaos = (async () => {
    let round = 0;
    while (chaosOn) {
      if (postgresDue()) {
        say(`crashing Postgres (immediate) for ${POSTGRES_DOWN_MS} ms (${accepted.size} events accepted)`);
        postgresWindows.push(await cluster.crashPostgres(POSTGRES_DOWN_MS));
        say('Postgres is back');
        continue;
      }
      if (temporalDue()) {
        const t0 = Date.now();
        say(`restarting the Temporal server (${ENGINE === 'dev' ? 'dev server, SIGTERM' : 'real server, SIGKILL'}; ${accepted.size} events accepted)`);
        crashes.push({ at: t0, kind: 'temporal' });
        await cluster.restartTemporal();
        temporalRestarts += 1;
        say(`Temporal is back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        continue;
      }
      await sleep(3_000 + (round % 4) * 1_000);
      if (!chaosOn || postgresDue() || temporalDue()) continue;
      round += 1;
      const w = cluster.workers[round % WORKERS]!;
      if (!w.running()) continue;
      crashes.push({ at: Date.now(), kind: 'worker' });
      killedByUs.add(w);
      await w.kill('SIGKILL'); // the supervisor starts a new one
      workerKills += 1;
    }
  })();

  // The API SIGKILLed while publishes are in flight (only a serving one: each kill cuts requests).
  const apiChaos = (async () => {
    while (publishing) {
      await sleep(API_KILL_EVERY_MS);
      if (!publishing) break;
      const api = cluster.api;
      if (!(await httpOk(`${cluster.apiUrl}/healthz`).catch(() => false))) continue;
      killedByUs.add(api);
      await api.kill('SIGKILL');
      apiKills += 1;
    }
  })();

  // Publish, paced: eight in flight; a 5xx, 429, timeout or dropped connection is retried with the same id.
  const publishStats = { requests: 0, answered202: 0, retries: 0, networkErrors: 0, byStatus: {} as Record<string, number> };
  const publishStarted = Date.now();
  try {
    await forEachLimited(
      EVENTS,
      8,
      async (i) => {
        const event: Published = { id: `evt-${i}`, tenantId: tenants[i % TENANTS]!, type: TYPES[(i * 7) % TYPES.length]! };
        for (;;) {
          publishStats.requests += 1;
          let status: number | undefined;
          try {
            const res = await fetch(`${cluster.apiUrl}/v1/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ ...event, data: { i, note: 'chaos' } }),
              signal: AbortSignal.timeout(20_000),
            });
            status = res.status;
            await res.text().catch(() => '');
          } catch {
            publishStats.networkErrors += 1;
          }
          if (status === 202) {
            publishStats.answered202 += 1;
            accepted.set(event.id, event);
            return;
          }
          if (status !== undefined) {
            publishStats.byStatus[status] = (publishStats.byStatus[status] ?? 0) + 1;
            if (status < 500 && status !== 408 && status !== 429) throw new Error(`publish ${event.id}: HTTP ${status}`);
          }
          publishStats.retries += 1;
          await sleep(300);
        }
      },
      EVENTS / PUBLISH_SECONDS,
    );
    publishing = false;
    await apiChaos;
    say(
      `published ${accepted.size} in ${((Date.now() - publishStarted) / 1000).toFixed(1)} s: ${publishStats.requests} requests, ` +
        `${publishStats.answered202} answered 202, ${publishStats.retries} retried (${publishStats.networkErrors} connection errors, by status ${JSON.stringify(publishStats.byStatus)}); ${apiKills} API kills`,
    );
    while (postgresWindows.length === 0 || temporalRestarts === 0) await sleep(500); // a short run still gets both
    chaosOn = false;
    await chaos;
  } finally {
    publishing = false;
    chaosOn = false;
  }
  receiver.mode = 'healthy';

  // Everything that should arrive.
  const expected: string[] = [];
  for (const e of accepted.values()) {
    for (const ep of endpoints) {
      if (ep.tenantId === e.tenantId && (ep.events.includes('*') || ep.events.includes(e.type))) expected.push(`${ep.key} ${e.id}`);
    }
  }
  say(`waiting for ${expected.length} deliveries to settle`);
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  const temporal = new Client({ connection });
  const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const runningDeliveries = async () => {
      const query = `TaskQueue = "${cluster.taskQueue}" AND WorkflowType = "deliveryWorkflow" AND ExecutionStatus = "Running"`;
      return (await temporal.workflow.count(query)).count;
    };
    const drainStarted = Date.now();
    await waitFor(
      async () => {
        const [row] = await sql<{ pending: number; outbox: number }[]>`
          select (select count(*)::int from deliveries where kind = 'event' and status = 'pending') as pending,
                 (select count(*)::int from outbox) as outbox`;
        return row!.pending === 0 && row!.outbox === 0 && expected.every((k) => receiver.delivered.has(k)) && (await runningDeliveries()) === 0;
      },
      { what: 'every delivery to settle', timeoutMs: DRAIN_SECONDS * 1000, intervalMs: 1_000 },
    ).catch((err: Error) => console.error(`chaos: ${err.message}`));
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    clearInterval(supervisor);

    // The log, the outbox, the receivers and Temporal.
    const rows = await sql<{ id: string; endpointId: string; eventId: string; status: string; attemptCount: number; recordedOk: number }[]>`
      select d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", d.status, d.attempt_count as "attemptCount",
             (select count(*)::int from attempts a where a.delivery_id = d.id and a.response_status between 200 and 299) as "recordedOk"
      from deliveries d where d.kind = 'event'`;
    const outbox = await sql<{ id: string; kind: string; attempts: number; lastError: string | null; createdAt: Date }[]>`
      select id, kind, attempts, last_error as "lastError", created_at as "createdAt" from outbox order by id`;
    const eventsStored = (await sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;
    const keyOf = new Map(endpoints.map((e) => [e.id, e.key]));
    const byKey = new Map(rows.map((r) => [`${keyOf.get(r.endpointId)} ${r.eventId}`, r]));
    const notReceived = expected.filter((k) => !receiver.delivered.has(k));
    const notSuccess = expected.filter((k) => byKey.get(k)?.status !== 'success');
    const lost = [...new Set([...notReceived, ...notSuccess])];
    const expectedSet = new Set(expected);
    const unexpected = [...receiver.delivered.keys()].filter((k) => !expectedSet.has(k));

    // Stranded: pending, never attempted, and no workflow running for it.
    const stranded: { key: string; id: string; workflow: string }[] = [];
    for (const r of rows.filter((x) => x.status === 'pending' && x.attemptCount === 0)) {
      let workflow = 'not found';
      try {
        workflow = (await temporal.workflow.getHandle(workflowIds.delivery(r.id)).describe()).status.name;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) workflow = `describe failed: ${(err as Error).message}`;
      }
      if (workflow !== 'RUNNING') stranded.push({ key: `${keyOf.get(r.endpointId)} ${r.eventId}`, id: r.id, workflow });
    }

    // A duplicate is explained when the log holds fewer 2xx attempts than the receiver gave 2xx
    // answers (the answer never reached the log) and either
    //   - a worker kill or Temporal restart fell between the first answer and the send that repeated
    //     it (a process died between answer and record), or
    //   - a recorded attempt ended as a timeout although the receiver answered it 2xx while it was in
    //     flight (between its start and start + its recorded duration): the sender gave up first, so
    //     it could not know; at-least-once delivery resends, and webhook-id lets the receiver dedupe.
    // Anything else is a bug; a Postgres crash alone must not cause one (the answer is kept and recorded).
    const duplicates = [...receiver.delivered.entries()].filter(([, times]) => times.length > 1);
    const dupIds = duplicates.map(([key]) => byKey.get(key)?.id).filter((x): x is string => Boolean(x));
    const dupAttempts = dupIds.length
      ? await sql<{ deliveryId: string; attempt: number; startedAt: Date; durationMs: number; responseStatus: number | null; error: string | null }[]>`
          select delivery_id as "deliveryId", attempt, started_at as "startedAt", duration_ms as "durationMs", response_status as "responseStatus", error
          from attempts where delivery_id = any(${dupIds}::text[]) order by delivery_id, attempt`
      : [];
    const why = (key: string, times: number[]): { kind: CrashKind | 'timeout'; detail: string } | undefined => {
      const r = byKey.get(key);
      if (!r || r.recordedOk >= times.length) return undefined;
      const crash = crashes.find((c) => c.at >= times[0]! - CRASH_SLACK_MS && c.at <= times[1]!);
      if (crash) return { kind: crash.kind, detail: `${crash.kind} crash ${crash.at - times[0]!} ms after the first 2xx` };
      for (const a of dupAttempts.filter((x) => x.deliveryId === r.id && x.responseStatus === null && x.error?.startsWith('timeout'))) {
        const start = a.startedAt.getTime();
        const answered = times.find((t) => t >= start - TIMING_SLACK_MS && t <= start + a.durationMs + TIMING_SLACK_MS);
        if (answered !== undefined) {
          return { kind: 'timeout', detail: `attempt ${a.attempt} logged "${a.error}" after ${a.durationMs} ms; the receiver answered 2xx ${answered - start} ms after it started` };
        }
      }
      return undefined;
    };
    const explained = duplicates.map(([key, times]) => ({ key, times, why: why(key, times) }));
    const unexplained = explained.filter((d) => !d.why).map((d) => [d.key, d.times] as const);
    const duplicatesBy = { worker: 0, temporal: 0, timeout: 0 };
    for (const d of explained) if (d.why) duplicatesBy[d.why.kind] += 1;
    const nearPostgresCrash = duplicates.filter(([, times]) => postgresWindows.some((w) => times[0]! >= w.downAt - 5_000 && times[0]! <= w.upAt + 5_000)).length;
    const running = await runningDeliveries();
    const logs = cluster.logs();
    const leaked = secrets.filter((s) => logs.includes(s)).length;

    const report = {
      engine: ENGINE,
      events: EVENTS,
      accepted: accepted.size,
      publishRequests: publishStats.requests,
      publishAnswered202: publishStats.answered202,
      publishRetries: publishStats.retries,
      publishConnectionErrors: publishStats.networkErrors,
      publishByStatus: JSON.stringify(publishStats.byStatus),
      eventsStored,
      expectedDeliveries: expected.length,
      delivered: expected.length - notReceived.length,
      lost: lost.length,
      notReceived: notReceived.length,
      loggedNotSuccess: notSuccess.length,
      stranded: stranded.length,
      outboxLeft: outbox.length,
      duplicates: duplicates.length,
      duplicatesByWorkerKill: duplicatesBy.worker,
      duplicatesByTemporalRestart: duplicatesBy.temporal,
      duplicatesBySenderTimeout: duplicatesBy.timeout,
      duplicatesNearPostgresCrash: nearPostgresCrash,
      unexplainedDuplicates: unexplained.length,
      unexpectedDeliveries: unexpected.length,
      runningDeliveryWorkflows: running,
      badSignatures: receiver.badSignatures,
      webhookIdChanges: receiver.webhookIdChanges,
      secretsInLogs: leaked,
      apiKills,
      apiStarts,
      workerKills,
      temporalRestarts,
      postgresRestarts: postgresWindows.length,
      postgresDownMs: postgresWindows.map((w) => w.upAt - w.downAt).join(','),
      selfExits: selfExits.length,
      failuresServed: receiver.failuresServed,
      requestsReceived: receiver.requests,
      drainSeconds: Math.round(drainSeconds),
      wallSeconds: Math.round((Date.now() - runStarted) / 1000),
    };
    writeFileSync(path.join(cluster.dir, 'report.json'), JSON.stringify(report, null, 2));
    console.table(report);
    const ok =
      accepted.size === EVENTS && publishStats.answered202 === EVENTS && eventsStored === EVENTS && lost.length === 0 && stranded.length === 0 &&
      outbox.length === 0 && unexplained.length === 0 && unexpected.length === 0 && running === 0 && receiver.badSignatures === 0 && receiver.webhookIdChanges === 0 &&
      leaked === 0 && temporalRestarts === 1 && postgresWindows.length === 1 && apiKills >= 1;
    say(
      `summary: engine=${ENGINE} accepted=${accepted.size}/${EVENTS} (202 answers ${publishStats.answered202}, publish retries ${publishStats.retries}) ` +
        `lost=${lost.length} stranded=${stranded.length} outbox=${outbox.length} duplicates=${duplicates.length} (worker kill ${duplicatesBy.worker}, Temporal restart ${duplicatesBy.temporal}, sender timeout ${duplicatesBy.timeout}, unexplained ${unexplained.length}) ` +
        `badSignatures=${receiver.badSignatures} secretsInLogs=${leaked} running=${running} apiKills=${apiKills} workerKills=${workerKills} ` +
        `temporalRestarts=${temporalRestarts} postgresRestarts=${postgresWindows.length} selfExits=${selfExits.length} → ${ok ? 'PASS' : 'FAIL'}`,
    );
    for (const d of explained.filter((x) => x.why?.kind === 'timeout').slice(0, 10)) say(`duplicate ${d.key} explained by a sender timeout: ${d.why!.detail}`);
    for (const x of selfExits) say(`${x.name} exited on its own (code ${x.code}) at +${((x.at - runStarted) / 1000).toFixed(0)} s: ${x.reason}`);
    if (!ok) {
      // The private Postgres is dropped at the end: keep what is needed to understand the failure.
      const detail = async (key: string) => {
        const r = byKey.get(key);
        if (!r) return { key, delivery: null, received: receiver.delivered.get(key) ?? [] };
        const attempts = await sql`select attempt, started_at, response_status, error from attempts where delivery_id = ${r.id} order by attempt`;
        let workflow = 'not found';
        try {
          workflow = (await temporal.workflow.getHandle(workflowIds.delivery(r.id)).describe()).status.name;
        } catch {
          // not found
        }
        return { key, delivery: r, attempts, workflow, received: receiver.delivered.get(key) ?? [] };
      };
      const dump = {
        lost: await Promise.all(lost.slice(0, 50).map(detail)),
        stranded,
        outbox,
        unexplainedDuplicates: await Promise.all(unexplained.slice(0, 50).map(([key]) => detail(key))),
        explainedDuplicates: explained.filter((d) => d.why).slice(0, 50),
        crashes,
        postgresWindows,
        selfExits,
        unexpected: unexpected.slice(0, 50),
      };
      writeFileSync(path.join(cluster.dir, 'failure.json'), JSON.stringify(dump, null, 2));
      console.error(`chaos: first lost ${JSON.stringify(lost.slice(0, 5))}; first unexplained duplicates ${JSON.stringify(unexplained.slice(0, 5))}`);
      console.error(`chaos: details in ${path.join(cluster.dir, 'failure.json')}`);
    }
    return ok;
  } finally {
    clearInterval(supervisor);
    await sql.end();
    await connection.close();
  }
}

/** What a process that exited on its own said last: its fatal error, from the tail of its log. */
function exitReason(logFile: string): string {
  let tail = '';
  try {
    const text = readFileSync(logFile, 'utf8');
    tail = text.slice(-8_000);
  } catch {
    return 'no log';
  }
  const last = (re: RegExp) => [...tail.matchAll(re)].at(-1)?.[1];
  const fatal = last(/^(\w*Error: .+)$/gm) ?? last(/^(hookline \w+ failed: .+)$/gm) ?? tail.trim().split('\n').at(-1) ?? '';
  const where = /^\s+at .+$/m.exec(tail.slice(tail.lastIndexOf(fatal)))?.[0]?.trim();
  return `${fatal.slice(0, 200)}${where ? ` (${where.slice(0, 160)})` : ''}`;
}

main().catch((err) => {
  console.error(`chaos failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
