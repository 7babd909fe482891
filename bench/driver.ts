import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { signRequest } from '../domain/signing';
import { forEachLimited } from '../infra/concurrency';
import { createWebhookFetch } from '../infra/webhook-fetch';
import { quantile } from '../tools/proof/stats';
import type { BarePost } from './bare-workflow';
import { CpuMeter, cpuSecondsOf, peakRssMiB, per1000, round, threadSeconds, type CpuUse } from './cpu';
import { BROKER_TYPES, startBrokerSink, type BenchBrokerType } from './broker-sinks';
import type { ArrivalLog, BenchReceiver } from './receiver';
import { countActions, type ActionCount } from './temporal-cost';
import { startEngine, type Engine, type Stack } from './topologies';

/** The measurements themselves: raw HTTP, bare Temporal, and each phase against a running Hookline. */

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
/** Publishers in the accept phase (the issue's figure). */
const PUBLISHERS = 16;
/** Publishes (or workflow starts) the driver keeps in flight in the delivery runs, as the earlier bench did. */
const IN_FLIGHT = 64;

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
}
const latency = (xs: number[]): Latency => (xs.length === 0 ? { p50: NaN, p95: NaN, p99: NaN } : { p50: Math.round(quantile(xs, 0.5)), p95: Math.round(quantile(xs, 0.95)), p99: Math.round(quantile(xs, 0.99)) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

export interface RawResult {
  requestsPerSec: number;
}

/** Sign and POST from Node, keep-alive, at the worker's concurrency: what the network path alone allows. */
export async function measureRaw(receiver: BenchReceiver, n: number, concurrency: number): Promise<RawResult> {
  const fetch = createWebhookFetch({ refusePrivateTargets: false });
  receiver.reset();
  const t0 = performance.now();
  await forEachLimited(n, concurrency, async (i) => {
    const body = JSON.stringify({ id: `raw-${i}`, type: 'card.viewed', data: { i } });
    const headers = signRequest({ secrets: [SECRET], id: `raw-${i}`, timestampSeconds: Math.floor(Date.now() / 1000), body });
    const res = await fetch(`${receiver.url}/raw`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await res.arrayBuffer();
  });
  return { requestsPerSec: Math.round(n / ((performance.now() - t0) / 1000)) };
}

export interface BareResult {
  workflowsPerSec: number;
  startToReceiptMs: Latency;
  cost: ActionCount;
  /** Temporal's CPU in `total`; the worker runs in the bench process (`driver`, with the receiver). */
  cpuSecondsPer1000: CpuUse;
}

/** The floor: one workflow of one activity doing the same signed POST, on a Temporal of its own. */
export async function measureBare(receiver: BenchReceiver, n: number, concurrency: number, engine: Engine, dir: string, log: (line: string) => void): Promise<BareResult> {
  const temporal = await startEngine(engine, dir, log);
  const meter = new CpuMeter(() => [{ name: 'temporal', kind: 'temporal', pid: temporal.pid }]);
  const fetch = createWebhookFetch({ refusePrivateTargets: false });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: 'bench-bare',
      workflowsPath: require.resolve('./bare-workflow'),
      maxConcurrentActivityTaskExecutions: concurrency,
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
    receiver.reset();
    const started = new Map<string, number>();
    await sleep(1_000); // let the bundle's load finish before the clock starts
    const cpu0 = meter.sample();
    const t0 = performance.now();
    await forEachLimited(n, IN_FLIGHT, async (i) => {
      const id = `bare-${i}`;
      started.set(id, performance.now());
      await client.workflow.start('bareDelivery', { taskQueue: 'bench-bare', workflowId: id, args: [{ url: `${receiver.url}/bare`, id, body: JSON.stringify({ id, type: 'card.viewed', data: { i } }) }] });
    });
    await receiver.waitFor(n);
    const seconds = (receiver.lastArrival() - t0) / 1000;
    await waitFor(async () => (await client.workflow.count('WorkflowType = "bareDelivery" AND ExecutionStatus = "Running"')).count === 0);
    const cpu = meter.use(cpu0, meter.sample());
    const latencies = [...receiver.arrivals].map(([key, at]) => at - started.get(key.split(' ')[1]!)!);
    const cost = await countActions(client, [...started.keys()].slice(0, 20), []);
    worker.shutdown();
    await running;
    return { workflowsPerSec: Math.round(n / seconds), startToReceiptMs: latency(latencies), cost, cpuSecondsPer1000: per1000(cpu, n) };
  } finally {
    await connection.close();
    await client.connection.close();
    await temporal.stop();
  }
}

async function waitFor(done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the run to finish');
    await sleep(100);
  }
}

export interface RunResult {
  events: number;
  endpoints: number;
  deliveries: number;
  /** Publish of the first event to receipt of the last delivery. */
  seconds: number;
  deliveriesPerSec: number;
  publishToReceiptMs: Latency;
  /** CPU from the first publish until every delivery is recorded and its workflow closed. */
  cpu: CpuUse;
  cpuSecondsPer1000: CpuUse;
  /** The relays' outbox claims per delivery (every worker's, whether it found rows or not). */
  claimsPerDelivery?: number | null;
  /** Sends the workers' gates refused during the run (each then waits for its turn as a timer and a regular activity). */
  sendsRefused?: number | null;
  /** Where the slowest deliveries' time went (the half-rate run): medians over the slowest 1 % and over all. */
  tail?: TailBreakdown;
}

/**
 * publish → workflow start is the outbox and the relay; start → the first workflow task's start is
 * the engine handing the task to a worker; that task's start → receipt is the worker's own work (the
 * first attempt runs inside it).
 */
export interface TailBreakdown {
  slowest: { deliveries: number; publishToReceiptMs: number; publishToStartMs: number; startToTaskMs: number; taskToReceiptMs: number };
  all: { deliveries: number; publishToReceiptMs: number; publishToStartMs: number; startToTaskMs: number; taskToReceiptMs: number };
}

export interface AcceptResult {
  events: number;
  publishers: number;
  acceptPerSec: number;
  /** How long POST /v1/events took to answer. */
  answerMs: Latency;
  /** First publish to the last delivery's receipt (deliveries lag the answers). */
  drainSeconds: number;
  cpuWhileAccepting: CpuUse;
}

export interface ProfileWindow {
  pid: number;
  startUs: number;
  endUs: number;
  /** CPU seconds of the worker's threads in the window, by thread name. */
  threads: Record<string, number>;
}

export interface HooklineResult {
  /** 5 s of the settled stack doing nothing. */
  idle?: CpuUse;
  accept?: AcceptResult;
  /** Split only: accepting while the worker is frozen (SIGSTOP), deliveries after it thaws. */
  acceptWorkerPaused?: AcceptResult;
  m1?: RunResult;
  m10?: RunResult;
  halfRate?: RunResult & { ratePerSec: number };
  /** N events at a fixed rate (`--rate`, 50/s) to one endpoint: `held` when the last receipt came within 1 s of the last publish. */
  fixedRate?: RunResult & { ratePerSec: number; publishSeconds: number; held: boolean };
  fanOut?: { endpoints: number; seconds: number; cpu: CpuUse };
  cost?: ActionCount;
  /**
   * With a CPU hog (one busy core, not in any measured tree) beside the stack: the M=1 run again, and
   * a fixed 15 events/s. The ratio to the quiet M=1 run's CPU says whether anything costs per unit of
   * time or per timeout rather than per delivery.
   */
  contention?: { m1: RunResult; at15: RunResult; cpuPer1000Ratio: number | null };
  /** Peak RSS (VmHWM) of each measured process's largest process, read at the end of the run. */
  peakRssMiB?: Record<string, number | null>;
  /** The M=1 run once more with the worker under --cpu-prof (split only, with --profile). */
  profiled?: { run: RunResult; window: ProfileWindow };
  /**
   * The M=1 run with the endpoint a broker type instead of HTTP, a consumer noting each arrival;
   * `brokerCpuSecondsPer1000` is the broker server's own CPU (not in `cpu`, as the HTTP receiver's is not).
   */
  brokers?: Partial<Record<BenchBrokerType, RunResult & { brokerCpuSecondsPer1000: number | null }>>;
}

export type Phase = 'accept' | 'm1' | 'm10' | 'half' | 'rate' | 'fanout' | 'contention' | 'brokers';

/** Hookline through its API, phase by phase, each on a settled system and a tenant of its own. */
export async function measureHookline(stack: Stack, receiver: BenchReceiver, opts: { size: number; fanout: number; phases: Phase[]; ratePerSec?: number; profileDir?: string; log: (line: string) => void }): Promise<HooklineResult> {
  const { admin, sql, client } = stack;
  const meter = new CpuMeter(stack.trees);
  const log = (line: string) => opts.log(`${stack.label}: ${line}`);
  const out: HooklineResult = {};
  const N = opts.size;

  /** A tenant with `endpoints` HTTP endpoints on the receiver, or with the one endpoint `body` gives. */
  const tenantWith = async (name: string, endpoints: number, body?: Record<string, unknown>) => {
    const { id, apiKey } = await admin.createTenant({ id: `${name}-${randomBytes(3).toString('hex')}` });
    const tenant = admin.withToken(apiKey);
    const ids: string[] = [];
    await forEachLimited(endpoints, 16, async (e) => void ids.push((await tenant.createWebhook(body ?? { url: `${receiver.url}/${name}/${e}` })).id));
    return { id, ids };
  };

  /** No delivery pending, no outbox row, and the processes we measure (nearly) idle. */
  const settle = async () => {
    const hasOutbox = (await sql<{ t: string | null }[]>`select to_regclass('outbox')::text as t`)[0]!.t !== null;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { pending } = (await sql<{ pending: number }[]>`select count(*)::int as pending from deliveries where status = 'pending'`)[0]!;
      const outbox = hasOutbox ? (await sql<{ n: number }[]>`select count(*)::int as n from outbox`)[0]!.n : 0;
      const a = meter.sample();
      await sleep(1_000);
      const use = meter.use(a, meter.sample());
      if ((pending === 0 && outbox === 0 && use.temporal + use.node < 0.15) || Date.now() > deadline) {
        if (Date.now() > deadline) log(`did not settle (pending ${pending}, outbox ${outbox}, ${use.temporal + use.node} CPU-s/s); going on`);
        return;
      }
    }
  };

  /** Every delivery recorded and its workflow closed: the end of a run's CPU window. */
  const finished = () =>
    waitFor(async () => {
      const { pending } = (await sql<{ pending: number }[]>`select count(*)::int as pending from deliveries where status = 'pending'`)[0]!;
      return pending === 0 && (await client.workflow.count('WorkflowType = "deliveryWorkflow" AND ExecutionStatus = "Running"')).count === 0;
    }, 300_000);

  /** Reads the workflow histories of the slowest 1 % of a one-endpoint run and of every delivery, to say where the tail waited. */
  const tailBreakdown = async (tenantId: string, waits: { eventId: string; publishedAt: number; arrivedAt: number }[]): Promise<TailBreakdown> => {
    const deliveryOf = new Map((await sql<{ id: string; eventId: string }[]>`select id, event_id from deliveries where tenant_id = ${tenantId}`).map((d) => [d.eventId, d.id]));
    const wall = (monotonic: number) => performance.timeOrigin + monotonic;
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
    const split = async (w: (typeof waits)[number]) => {
      const events = (await client.workflow.getHandle(`delivery-${deliveryOf.get(w.eventId)}`).fetchHistory()).events ?? [];
      const started = ms(events[0]?.eventTime);
      const task = ms(events.find((e) => e.workflowTaskStartedEventAttributes)?.eventTime);
      return { publishToReceiptMs: w.arrivedAt - w.publishedAt, publishToStartMs: started - wall(w.publishedAt), startToTaskMs: task - started, taskToReceiptMs: wall(w.arrivedAt) - task };
    };
    const medians = async (of: typeof waits) => {
      const parts: Awaited<ReturnType<typeof split>>[] = [];
      for (const w of of) parts.push(await split(w));
      const med = (k: keyof (typeof parts)[number]) => Math.round(quantile(parts.map((p) => p[k]), 0.5));
      return { deliveries: of.length, publishToReceiptMs: med('publishToReceiptMs'), publishToStartMs: med('publishToStartMs'), startToTaskMs: med('startToTaskMs'), taskToReceiptMs: med('taskToReceiptMs') };
    };
    const sorted = [...waits].sort((a, b) => b.arrivedAt - b.publishedAt - (a.arrivedAt - a.publishedAt));
    return { slowest: await medians(sorted.slice(0, Math.max(5, Math.ceil(waits.length / 100)))), all: await medians(waits) };
  };

  const outboxClaims = async () =>
    (await sql<{ calls: number | null }[]>`select sum(calls)::int as calls from pg_stat_user_functions where funcname = 'hookline_outbox_claim'`)[0]!.calls;

  const publishRun = async (tenantId: string, endpoints: number, events: number, label: string, ratePerSec?: number, sink: ArrivalLog = receiver, withTail = false): Promise<RunResult> => {
    sink.reset();
    const claims0 = await outboxClaims();
    const refused0 = await stack.sendsRefused();
    const published = new Map<string, number>();
    const cpu0 = meter.sample();
    const t0 = performance.now();
    await forEachLimited(events, IN_FLIGHT, async (i) => {
      const id = `${label}-${i}`;
      published.set(id, performance.now());
      await admin.publish({ tenantId, id, type: 'card.viewed', data: { i, note: 'benchmark payload' } });
    }, ratePerSec);
    await sink.waitFor(events * endpoints);
    const seconds = (sink.lastArrival() - t0) / 1000;
    await finished();
    const cpu = meter.use(cpu0, meter.sample());
    const deliveries = events * endpoints;
    await sleep(11_000); // an idle backend reports its function counts within 10 s (PGSTAT_IDLE_INTERVAL)
    const claims1 = await outboxClaims();
    const refused1 = await stack.sendsRefused();
    const waits = [...sink.arrivals].map(([key, arrivedAt]) => ({ eventId: key.split(' ')[1]!, arrivedAt })).map((a) => ({ ...a, publishedAt: published.get(a.eventId)! }));
    return {
      ...(withTail && endpoints === 1 ? { tail: await tailBreakdown(tenantId, waits.filter((w) => w.publishedAt !== undefined)) } : {}),
      events,
      endpoints,
      deliveries,
      seconds: round(seconds),
      deliveriesPerSec: Math.round(deliveries / seconds),
      publishToReceiptMs: latency([...sink.arrivals].map(([key, at]) => at - published.get(key.split(' ')[1]!)!).filter((ms) => !Number.isNaN(ms))),
      cpu,
      cpuSecondsPer1000: per1000(cpu, deliveries),
      claimsPerDelivery: claims0 === null || claims1 === null ? null : round((claims1 - claims0) / deliveries),
      sendsRefused: refused0 === null || refused1 === null ? null : refused1 - refused0,
    };
  };

  /** The M=1 run again for each broker type: one endpoint publishing to the machine's broker, its consumer timing arrivals. */
  const brokerRuns = async () => {
    const runs: NonNullable<HooklineResult['brokers']> = {};
    for (const type of BROKER_TYPES) {
      const sink = await startBrokerSink(type);
      try {
        const t = await tenantWith(`b${type}`, 1, sink.endpoint);
        await settle();
        const broker0 = sink.serverPid ? cpuSecondsOf(sink.serverPid) : null;
        const run = await publishRun(t.id, 1, N, `b${type}`, undefined, sink.arrivals);
        const brokerCpu = broker0 === null ? null : round(((cpuSecondsOf(sink.serverPid!) - broker0) * 1000) / run.deliveries);
        runs[type] = { ...run, brokerCpuSecondsPer1000: brokerCpu };
        log(`M=1 to ${type}: ${run.deliveriesPerSec} deliveries/s, publish-to-receipt ${fmt(run.publishToReceiptMs)} ms, ${run.cpuSecondsPer1000.total} CPU-s per 1,000 (+ ${brokerCpu ?? '?'} in the broker)`);
      } finally {
        await sink.close();
      }
      await settle();
    }
    return runs;
  };

  const has = (p: Phase) => opts.phases.includes(p);
  await settle();
  // What the stack burns doing nothing (pollers, timers, the relay's sweep): a fixed cost per second.
  const idle0 = meter.sample();
  await sleep(5_000);
  out.idle = meter.use(idle0, meter.sample());

  /** N events from 16 publishers, timed to the last answer; then every delivery waited for. */
  const acceptRun = async (label: string, pause?: (paused: boolean) => void): Promise<AcceptResult> => {
    const t = await tenantWith(label, 1);
    await settle();
    pause?.(true);
    receiver.reset();
    const answers: number[] = [];
    const cpu0 = meter.sample();
    const t0 = performance.now();
    await forEachLimited(N, PUBLISHERS, async (i) => {
      const s = performance.now();
      await admin.publish({ tenantId: t.id, id: `${label}-${i}`, type: 'card.viewed', data: { i, note: 'benchmark payload' } });
      answers.push(performance.now() - s);
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpuWhileAccepting = meter.use(cpu0, meter.sample());
    pause?.(false);
    await receiver.waitFor(N);
    const result = { events: N, publishers: PUBLISHERS, acceptPerSec: Math.round(N / seconds), answerMs: latency(answers), drainSeconds: round((receiver.lastArrival() - t0) / 1000), cpuWhileAccepting };
    log(`accept (${label}): ${result.acceptPerSec} events/s (answer ${fmt(result.answerMs)} ms), all delivered after ${result.drainSeconds} s`);
    await settle();
    return result;
  };

  if (has('accept')) {
    out.accept = await acceptRun('acc');
    if (stack.pauseWorker) {
      // The same with the worker (and its relay) frozen while publishing: what the API and Postgres accept alone.
      try {
        out.acceptWorkerPaused = await acceptRun('accpaused', stack.pauseWorker);
      } finally {
        stack.pauseWorker(false);
      }
    }
  }

  let m1Endpoint: string | undefined;
  if (has('m1')) {
    const t = await tenantWith('m1', 1);
    m1Endpoint = t.ids[0];
    await settle();
    out.m1 = await publishRun(t.id, 1, N, 'm1');
    log(`M=1: ${out.m1.deliveriesPerSec} deliveries/s, publish-to-receipt ${fmt(out.m1.publishToReceiptMs)} ms, ${out.m1.cpuSecondsPer1000.total} CPU-s per 1,000 (Node ${out.m1.cpuSecondsPer1000.node}), ${out.m1.claimsPerDelivery ?? '?'} outbox claims per delivery, ${out.m1.sendsRefused ?? '?'} sends refused by a gate`);
    await settle();
  }

  if (has('m10')) {
    const t = await tenantWith('m10', 10);
    await settle();
    out.m10 = await publishRun(t.id, 10, Math.ceil(N / 10), 'm10');
    log(`M=10: ${out.m10.deliveriesPerSec} deliveries/s, publish-to-receipt ${fmt(out.m10.publishToReceiptMs)} ms`);
    await settle();
  }

  if (has('half') && out.m1) {
    const ratePerSec = Math.max(1, Math.floor(out.m1.deliveriesPerSec / 2));
    const t = await tenantWith('half', 1);
    await settle();
    out.halfRate = { ratePerSec, ...(await publishRun(t.id, 1, Math.ceil(N / 2), 'half', ratePerSec, receiver, true)) };
    log(`at half the max rate (${ratePerSec}/s): publish-to-receipt ${fmt(out.halfRate.publishToReceiptMs)} ms`);
    const tail = out.halfRate.tail!;
    for (const [which, b] of Object.entries(tail)) {
      log(`  ${which} (${b.deliveries}, medians): publish→receipt ${b.publishToReceiptMs} ms = publish→start ${b.publishToStartMs} + start→first task ${b.startToTaskMs} + task→receipt ${b.taskToReceiptMs}`);
    }
    await settle();
  }

  if (has('rate')) {
    const ratePerSec = opts.ratePerSec ?? 50;
    const t = await tenantWith('rate', 1);
    await settle();
    const run = await publishRun(t.id, 1, N, 'rate', ratePerSec);
    const publishSeconds = round(N / ratePerSec);
    out.fixedRate = { ratePerSec, publishSeconds, held: run.seconds <= publishSeconds + 1, ...run };
    log(`at a fixed ${ratePerSec}/s: last receipt after ${run.seconds} s (publishing took ${publishSeconds} s), publish-to-receipt ${fmt(run.publishToReceiptMs)} ms`);
    await settle();
  }

  if (has('fanout') && opts.fanout > 0) {
    const t = await tenantWith('fan', opts.fanout);
    await settle();
    receiver.reset();
    const cpu0 = meter.sample();
    const t0 = performance.now();
    await admin.publish({ tenantId: t.id, id: 'fan-0', type: 'card.viewed', data: {} });
    await receiver.waitFor(opts.fanout);
    const seconds = round((receiver.lastArrival() - t0) / 1000, 1);
    await finished();
    out.fanOut = { endpoints: opts.fanout, seconds, cpu: meter.use(cpu0, meter.sample()) };
    log(`fan-out to ${opts.fanout} endpoints: last receipt after ${seconds} s`);
  }

  if (has('contention') && out.m1) {
    const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      const t = await tenantWith('hog', 1);
      await settle();
      const m1 = await publishRun(t.id, 1, N, 'hogm1');
      await settle();
      const t15 = await tenantWith('hog15', 1);
      await settle();
      const at15 = await publishRun(t15.id, 1, Math.min(N, 450), 'hog15', 15);
      out.contention = { m1, at15, cpuPer1000Ratio: out.m1.cpuSecondsPer1000.total ? round(m1.cpuSecondsPer1000.total / out.m1.cpuSecondsPer1000.total) : null };
      log(`with a CPU hog on one core: M=1 ${m1.deliveriesPerSec} deliveries/s, ${m1.cpuSecondsPer1000.total} CPU-s per 1,000 (${out.contention.cpuPer1000Ratio}× quiet); at 15/s publish-to-receipt ${fmt(at15.publishToReceiptMs)} ms`);
    } finally {
      hog.kill('SIGKILL');
    }
    await settle();
  }

  if (has('brokers')) out.brokers = await brokerRuns();

  if (m1Endpoint) {
    // Billable actions and history events of first-try deliveries, from their histories and their endpoint's.
    const sample = (await sql<{ id: string }[]>`select id from deliveries where endpoint_id = ${m1Endpoint} limit 50`).map((d) => `delivery-${d.id}`);
    out.cost = await countActions(client, sample, [`endpoint-${m1Endpoint}`], N).catch(() => countActions(client, sample, []));
    log(`cost: ${out.cost.actionsPerDelivery} billable actions, ${out.cost.historyEventsPerDelivery} history events per first-try delivery`);
  }
  out.peakRssMiB = Object.fromEntries(stack.trees().filter((t) => t.kind !== 'postgres').map((t) => [t.name, peakRssMiB(t.pid)]));
  log(`peak RSS (MiB): ${Object.entries(out.peakRssMiB).map(([k, m]) => `${k} ${m}`).join(', ')}`);
  if (opts.profileDir) {
    // Apart from the measured runs: a worker under --cpu-prof (its sampler costs CPU), the same M=1 run again.
    await stack.restartWorker(['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`]);
    const t = await tenantWith('prof', 1);
    await settle();
    const pid = stack.workerPid()!;
    const startUs = hrtimeUs();
    const before = threadSeconds(pid);
    const run = await publishRun(t.id, 1, N, 'prof');
    const after = threadSeconds(pid);
    out.profiled = { run, window: { pid, startUs, endUs: hrtimeUs(), threads: Object.fromEntries(Object.entries(after).map(([name, s]) => [name, round(s - (before[name] ?? 0))])) } };
    log(`M=1 again, worker under --cpu-prof: ${run.deliveriesPerSec} deliveries/s, Node ${run.cpuSecondsPer1000.node} CPU-s per 1,000`);
  }
  return out;
}

export const fmt = (l: Latency) => `${l.p50} / ${l.p95} / ${l.p99}`;
