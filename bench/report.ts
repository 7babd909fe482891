import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CpuUse } from './cpu';
import type { BareResult, HooklineResult, Latency } from './driver';
import type { ProfileSummary } from './profile';
import type { Engine, Topology } from './topologies';

/** One Hookline run's figures under stable keys, the details beside them. */
export interface RunFigures {
  label: string;
  topology: Topology;
  /** The Temporal engine this run used (older results: the file's `engine`). */
  engine?: Engine;
  tree: string;
  localSend: boolean;
  acceptPerSec: number | null;
  /** Split only: the same with the worker frozen, the API and Postgres alone. */
  acceptPerSecWorkerPaused: number | null;
  deliveriesPerSec: { m1: number | null; m10: number | null };
  p99AtHalfRateMs: number | null;
  /** The `rate` phase: p99 publish→receipt at a fixed rate (50/s unless --rate says otherwise). */
  p99AtFixedRateMs?: number | null;
  fanOut1000Seconds: number | null;
  actionsPerDelivery: number | null;
  historyEventsPerDelivery: number | null;
  /** All processes (Temporal, Hookline's, Postgres) per 1,000 first-try deliveries, from the M=1 run. */
  cpuSecondsPer1000: CpuUse | null;
  /** The same at half the maximum rate (the half-rate run). */
  cpuSecondsPer1000AtHalfRate: CpuUse | null;
  /** With a CPU hog on one core: CPU per 1,000 first-try deliveries over the quiet run's (target ≤ 1.3). */
  cpuPer1000UnderContentionRatio: number | null;
  /** With the hog: p99 publish→receipt at a fixed 15 events/s (target ≤ 300 ms). */
  p99At15PerSecUnderContentionMs: number | null;
  /** Peak RSS of each measured process (its largest OS process), MiB. */
  peakRssMiB: Record<string, number | null> | null;
  details: HooklineResult;
  /** Cores the rest of the machine used just before this run started (5 s sample). */
  othersCoresBeforeStart?: number;
  profile?: { summary: ProfileSummary; osThreads: Record<string, number>; processSeconds: number | null };
}

export interface BenchResults {
  stamp: string;
  date: string;
  size: number;
  fanout: number;
  /** The engine, or `both` when one run measured the dev server and the Postgres-backed server. */
  engine: Engine | 'both' | 'all';
  eagerActivities?: boolean;
  /** The Postgres-backed server's history shards and any dynamic config tried (BENCH_HISTORY_SHARDS, BENCH_TEMPORAL_DYNAMIC_CONFIG). */
  engineSettings?: { historyShards: number; dynamicConfig: Record<string, unknown> };
  localSend: boolean;
  tree: string;
  /** Taken when the measuring starts (after the wait for a quiet machine). */
  code?: { commit: string; changedFiles: number };
  cores: number;
  node: string;
  machine: { quiet: boolean; loadAverageAtStart: number; waitedSeconds: number; loadAverageAtEnd?: number };
  rawRequestsPerSec: number | null;
  bareTemporalPerSec: number | null;
  bareTemporal?: BareResult;
  /** `--engine both`: bare Temporal measured on each engine (the figures above are the dev server's). */
  bareByEngine?: Partial<Record<Engine, BareResult>>;
  /** Keyed by topology, plus ` (<engine>)` when the run measured more than one engine. */
  runs: Record<string, RunFigures>;
  /** All processes' CPU-s per 1,000 first-try deliveries (M=1) on each engine, from its split run (else its first). */
  cpuSecondsPer1000?: Partial<Record<Engine, number>>;
  /** History events per first-try delivery, on each engine. */
  historyEventsPerDelivery?: Partial<Record<Engine, number>>;
  /** `--ab`: this tree over the other, per topology and engine, medians over the rounds. */
  ab?: Record<string, AbRatio>;
  /** The run compared against (`--baseline`), e.g. the pre-outbox code. */
  baseline?: { file: string; runs: BenchResults['runs'] };
  targets: Target[];
}

export interface AbRatio {
  rounds: number;
  /** A / B of CPU-s per 1,000 (M=1, all processes); below 1: A costs less. */
  cpuPer1000: number | null;
  deliveriesPerSecM1: number | null;
  deliveriesPerSecM10: number | null;
  historyEvents: { a: number | null; b: number | null };
  peakRssMiB: { a: Record<string, number | null> | null; b: Record<string, number | null> | null };
}

const median = (xs: (number | null | undefined)[]) => {
  const s = xs.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : null;
};

/** Tree A (`a`) against tree B, per topology and engine, from runs measured side by side. */
export function abRatios(r: BenchResults, a: string, b: string): Record<string, AbRatio> {
  const out: Record<string, AbRatio> = {};
  const groups = new Set(Object.values(r.runs).map((f) => `${f.topology} (${f.engine})`));
  for (const group of groups) {
    const of = (tree: string) => Object.values(r.runs).filter((f) => `${f.topology} (${f.engine})` === group && f.tree === tree);
    const [as, bs] = [of(a), of(b)];
    const m = (runs: RunFigures[], pick: (f: RunFigures) => number | null | undefined) => median(runs.map(pick));
    out[group] = {
      rounds: Math.min(as.length, bs.length),
      cpuPer1000: ratio(m(as, (f) => f.cpuSecondsPer1000?.total), m(bs, (f) => f.cpuSecondsPer1000?.total)),
      deliveriesPerSecM1: ratio(m(as, (f) => f.deliveriesPerSec.m1), m(bs, (f) => f.deliveriesPerSec.m1)),
      deliveriesPerSecM10: ratio(m(as, (f) => f.deliveriesPerSec.m10), m(bs, (f) => f.deliveriesPerSec.m10)),
      historyEvents: { a: m(as, (f) => f.historyEventsPerDelivery), b: m(bs, (f) => f.historyEventsPerDelivery) },
      peakRssMiB: { a: as[as.length - 1]?.peakRssMiB ?? null, b: bs[bs.length - 1]?.peakRssMiB ?? null },
    };
  }
  return out;
}

export interface Target {
  run: string;
  target: string;
  value: string;
  met: boolean | null;
}

export function figures(label: string, topology: Topology, tree: string, localSend: boolean, r: HooklineResult, engine?: Engine): RunFigures {
  return {
    label,
    topology,
    engine,
    tree,
    localSend,
    acceptPerSec: r.accept?.acceptPerSec ?? null,
    acceptPerSecWorkerPaused: r.acceptWorkerPaused?.acceptPerSec ?? null,
    deliveriesPerSec: { m1: r.m1?.deliveriesPerSec ?? null, m10: r.m10?.deliveriesPerSec ?? null },
    p99AtHalfRateMs: r.halfRate?.publishToReceiptMs.p99 ?? null,
    p99AtFixedRateMs: r.fixedRate?.publishToReceiptMs.p99 ?? null,
    fanOut1000Seconds: r.fanOut?.seconds ?? null,
    actionsPerDelivery: r.cost?.actionsPerDelivery ?? null,
    historyEventsPerDelivery: r.cost?.historyEventsPerDelivery ?? null,
    cpuSecondsPer1000: r.m1?.cpuSecondsPer1000 ?? null,
    cpuSecondsPer1000AtHalfRate: r.halfRate?.cpuSecondsPer1000 ?? null,
    cpuPer1000UnderContentionRatio: r.contention?.cpuPer1000Ratio ?? null,
    p99At15PerSecUnderContentionMs: r.contention?.at15.publishToReceiptMs.p99 ?? null,
    peakRssMiB: r.peakRssMiB ?? null,
    details: r,
  };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);
/** A figure that was not measured (or came out NaN) is null: its targets read n/a, not "not met". */
const known = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? null : x);

/** Bare Temporal's workflows/s on the engine a run used. */
export function bareFor(r: BenchResults, run: RunFigures): number | null {
  const onEngine = run.engine ? r.bareByEngine?.[run.engine] : undefined;
  return onEngine ? onEngine.workflowsPerSec : r.bareTemporalPerSec;
}

export function evaluateTargets(r: BenchResults): Target[] {
  const out: Target[] = [];
  const before = r.baseline?.runs.split ?? r.baseline?.runs.one;
  const check = (run: string, target: string, value: string, met: boolean | null) => out.push({ run, target, value, met });
  for (const [name, f] of Object.entries(r.runs)) {
    const a = f.acceptPerSec;
    const x = ratio(a, before?.acceptPerSec);
    check(name, 'accept ≥ 300/s and ≥ 4× before', `${a ?? '–'}/s${x ? ` (${x}× before's ${before!.acceptPerSec})` : ''}`, a === null ? null : a >= 300 && (x === null || x >= 4));
    const d = f.deliveriesPerSec.m1;
    const xd = ratio(d, before?.deliveriesPerSec.m1);
    if (f.topology === 'split' && r.baseline) check(name, 'deliveries/s ≥ 2× before (separate processes)', xd === null ? 'no baseline' : `${d}/s = ${xd}× before's ${before!.deliveriesPerSec.m1}`, xd === null ? null : xd >= 2);
    const bare = bareFor(r, f);
    const xb = ratio(d, bare);
    check(name, 'deliveries/s ≥ 1.0× bare Temporal', xb === null ? '–' : `${d}/s = ${xb}× bare's ${bare}`, xb === null ? null : xb >= 1);
    const p = known(f.p99AtHalfRateMs);
    // Issue 17's target for the Postgres-backed server is 250 ms; the dev server's is 150 ms.
    const pMax = f.engine === 'postgres' ? 250 : 150;
    check(name, `p99 at half rate ≤ ${pMax} ms`, p === null ? '–' : `${p} ms`, p === null ? null : p <= pMax);
    const fr = f.details.fixedRate;
    if (fr) check(name, `a fixed ${fr.ratePerSec} events/s held, p99 ≤ 1 s`, `${fr.held ? 'held' : `not held (${fr.seconds} s for ${fr.publishSeconds} s)`}, p99 ${fr.publishToReceiptMs.p99} ms`, fr.held && fr.publishToReceiptMs.p99 <= 1000);
    const fo = f.fanOut1000Seconds;
    check(name, `fan-out ${r.fanout} ≤ 10 s`, fo === null ? '–' : `${fo} s`, fo === null ? null : r.fanout >= 1000 && fo <= 10);
    const c = f.cpuSecondsPer1000;
    const h = f.cpuSecondsPer1000AtHalfRate;
    const atHalf = (x?: number) => (x === undefined ? '' : ` (${x} at half rate)`);
    check(name, 'CPU-s per 1,000 deliveries (M=1), all processes ≤ 25', c ? `${c.total}${atHalf(h?.total)}` : '–', c ? c.total <= 25 : null);
    check(name, 'CPU-s per 1,000 deliveries (M=1), Node ≤ 8', c ? `${c.node}${atHalf(h?.node)}` : '–', c ? c.node <= 8 : null);
    // Issue 28: ≤ 12 on the dev server with its file, ≤ 20 on the Postgres-backed server.
    const cMax = f.engine === 'postgres' ? 20 : f.engine === 'dev-file' ? 12 : null;
    if (cMax !== null) check(name, `CPU-s per 1,000 first-try deliveries on ${f.engine} ≤ ${cMax}`, c ? `${c.total}` : '–', c ? c.total <= cMax : null);
    const cr = known(f.cpuPer1000UnderContentionRatio);
    check(name, 'CPU per delivery with a hog on one core ≤ 1.3× quiet', cr === null ? '–' : `${cr}×`, cr === null ? null : cr <= 1.3);
    const p15 = known(f.p99At15PerSecUnderContentionMs);
    check(name, 'p99 publish→receipt at 15/s with the hog ≤ 300 ms', p15 === null ? '–' : `${p15} ms`, p15 === null ? null : p15 <= 300);
    const ev = f.historyEventsPerDelivery;
    check(name, '≤ 6 history events per first-try delivery', ev === null ? '–' : `${ev}`, ev === null ? null : ev <= 6);
    const act = f.actionsPerDelivery;
    check(name, '≤ 2 billable actions per first-try delivery', act === null ? '–' : `${act}`, act === null ? null : act <= 2);
  }
  return out;
}

const lat = (l?: Latency) => (l && known(l.p50) !== null ? `${l.p50} / ${l.p95} / ${l.p99}` : '–');
const v = (x: unknown) => (x === null || x === undefined ? '–' : String(x));
const cpuParts = (c: CpuUse | null) => (c ? Object.entries(c.byProcess).map(([k, s]) => `${k} ${s}`).join(', ') : '–');

/** The rows of the figures table, one column per run (also used by compare.ts across result files). */
export function figureTable(columns: { title: string; run: RunFigures; bare: number | null }[]): string[] {
  const row = (name: string, cell: (f: RunFigures, bare: number | null) => string) => `| ${name} | ${columns.map((c) => cell(c.run, c.bare)).join(' | ')} |`;
  return [
    `| Figure | ${columns.map((c) => c.title).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    row('acceptPerSec (16 publishers, answer p50/p95/p99 ms)', (f) => `${v(f.acceptPerSec)} (${lat(f.details.accept?.answerMs)})`),
    row('acceptPerSecWorkerPaused (worker frozen: API + Postgres alone)', (f) => (f.details.acceptWorkerPaused ? `${v(f.acceptPerSecWorkerPaused)} (${lat(f.details.acceptWorkerPaused.answerMs)})` : '–')),
    row('deliveriesPerSec, M=1', (f) => v(f.deliveriesPerSec.m1)),
    row('deliveriesPerSec, M=10', (f) => v(f.deliveriesPerSec.m10)),
    row('M=1 / bare Temporal', (f, bare) => v(ratio(f.deliveriesPerSec.m1, bare))),
    row('publish→receipt p50/p95/p99 at max rate, M=1 (ms)', (f) => lat(f.details.m1?.publishToReceiptMs)),
    row('publish→receipt p50/p95/p99 at half rate (ms)', (f) => (f.details.halfRate ? `${lat(f.details.halfRate.publishToReceiptMs)} at ${f.details.halfRate.ratePerSec}/s` : '–')),
    row('p99AtHalfRateMs', (f) => v(f.p99AtHalfRateMs)),
    row('at a fixed rate: publish→receipt p50/p95/p99 (ms), last receipt after (s), held', (f) => {
      const r = f.details.fixedRate;
      return r ? `${lat(r.publishToReceiptMs)} at ${r.ratePerSec}/s; ${r.seconds} s for ${r.publishSeconds} s of publishing; ${r.held ? 'held' : 'not held'}` : '–';
    }),
    row('fanOut1000Seconds', (f) => v(f.fanOut1000Seconds)),
    row('actionsPerDelivery', (f) => `${v(f.actionsPerDelivery)}${f.details.cost ? ` (${Object.entries(f.details.cost.breakdown).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`),
    row('historyEventsPerDelivery', (f) => v(f.historyEventsPerDelivery)),
    row('sends refused by the workers\' gates, M=1 / half rate', (f) => `${v(f.details.m1?.sendsRefused)} / ${v(f.details.halfRate?.sendsRefused)}`),
    row('outbox claims per delivery, M=1 / half rate', (f) => `${v(f.details.m1?.claimsPerDelivery)} / ${v(f.details.halfRate?.claimsPerDelivery)}`),
    row('CPU-s per 1,000 deliveries (M=1, max rate), all processes', (f) => v(f.cpuSecondsPer1000?.total)),
    row('… Temporal server', (f) => v(f.cpuSecondsPer1000?.temporal)),
    row('… Node (Hookline processes)', (f) => v(f.cpuSecondsPer1000?.node)),
    row('… Postgres', (f) => v(f.cpuSecondsPer1000?.postgres)),
    row('… by process', (f) => cpuParts(f.cpuSecondsPer1000)),
    row('CPU-s per 1,000 at half rate: all (Temporal / Node / Postgres)', (f) => {
      const c = f.cpuSecondsPer1000AtHalfRate;
      return c ? `${c.total} (${c.temporal} / ${c.node} / ${c.postgres})` : '–';
    }),
    row('idle stack, cores: all (Temporal / Node / Postgres)', (f) => {
      const c = f.details.idle;
      const cores = (x: number) => Math.round((x / c!.wallSeconds) * 100) / 100;
      return c ? `${cores(c.total)} (${cores(c.temporal)} / ${cores(c.node)} / ${cores(c.postgres)})` : '–';
    }),
    row('with a CPU hog on one core: M=1 deliveries/s, CPU-s per 1,000 (× quiet)', (f) => {
      const c = f.details.contention;
      return c ? `${c.m1.deliveriesPerSec}/s, ${c.m1.cpuSecondsPer1000.total} (${v(c.cpuPer1000Ratio)}×)` : '–';
    }),
    row('with the hog: publish→receipt p50/p95/p99 at 15/s (ms)', (f) => lat(f.details.contention?.at15.publishToReceiptMs)),
    row('peak RSS, MiB', (f) => (f.peakRssMiB ? Object.entries(f.peakRssMiB).map(([k, m]) => `${k} ${v(m)}`).join(', ') : '–')),
    row('bench driver + receiver (not in total)', (f) => v(f.cpuSecondsPer1000?.driver)),
    row('other work on the machine meanwhile (per 1,000)', (f) => v(f.cpuSecondsPer1000?.otherOnMachine)),
    row('cores others used during accept / M=1 / M=10 / half rate / fan-out (quiet: < 0.1)', (f) => {
      const d = f.details;
      const cores = (c?: CpuUse) => (c ? String(Math.round((c.otherOnMachine / c.wallSeconds) * 100) / 100) : '–');
      return [d.accept?.cpuWhileAccepting, d.m1?.cpu, d.m10?.cpu, d.halfRate?.cpu, d.fanOut?.cpu].map(cores).join(' / ');
    }),
  ];
}

/**
 * The `brokers` phase beside HTTP: per run, the M=1 figure for HTTP and for each broker type,
 * measured alike (one endpoint, the same publishers, to the last arrival and every workflow closed).
 */
function brokerSection(r: BenchResults): string[] {
  const runs = Object.values(r.runs).filter((f) => f.details.brokers);
  if (!runs.length) return [];
  const cpu = (c?: CpuUse) => (c ? `${c.total} (${c.temporal} / ${c.node} / ${c.postgres})` : '–');
  return [
    '',
    '## Broker destinations beside HTTP (M=1: one endpoint, max rate)',
    '',
    'The destination\'s own server (the HTTP receiver, the broker) is not in the CPU total; the broker\'s CPU is in its own column.',
    '',
    '| run | type | deliveries/s | publish→receipt p50/p95/p99 (ms) | CPU-s per 1,000: all (Temporal / Node / Postgres) | broker server CPU-s per 1,000 |',
    '|---|---|---|---|---|---|',
    ...runs.flatMap((f) => [
      ...(f.details.m1 ? [`| ${f.label} | HTTP | ${f.details.m1.deliveriesPerSec} | ${lat(f.details.m1.publishToReceiptMs)} | ${cpu(f.details.m1.cpuSecondsPer1000)} | – |`] : []),
      ...Object.entries(f.details.brokers ?? {}).map(([type, b]) => `| ${f.label} | ${type} | ${b.deliveriesPerSec} | ${lat(b.publishToReceiptMs)} | ${cpu(b.cpuSecondsPer1000)} | ${v(b.brokerCpuSecondsPer1000)} |`),
    ]),
  ];
}

/** What the worker's OS threads are (their /proc names, cut to 15 characters). */
const THREAD_NAMES: Record<string, string> = {
  node: 'JS threads (main, the SDK\'s workflow thread, tsx\'s loader) and V8\'s helpers, which share the name',
  'tokio-runtime-w': 'SDK core, Rust (tokio: gRPC to Temporal, pollers)',
  'workflow-proces': 'SDK core, Rust (workflow state machines)',
};

function profileSection(f: RunFigures): string[] {
  const p = f.profile;
  const run = f.details.profiled?.run;
  if (!p || !run) return [];
  const k = 1000 / run.deliveries;
  const r = (x: number) => Math.round(x * 100) / 100;
  const sampled = Object.values(p.summary.byCategory).reduce((a, b) => a + b, 0);
  const js = p.osThreads.node ?? 0;
  const worker = Object.entries(p.osThreads).filter(([name]) => name !== 'v8:ProfEvntProc').reduce((a, [, s]) => a + s, 0);
  const pct = (x: number) => `${Math.round((x / worker) * 100)} %`;
  // The profile says where JS time went (shares of its samples); /proc says how much CPU the JS threads used.
  const rows: [string, number][] = [
    ...Object.entries(p.summary.byCategory).map(([name, s]): [string, number] => [`JS: ${name}`, (s / sampled) * js]),
    ...Object.entries(p.osThreads).filter(([name, s]) => name !== 'node' && name !== 'v8:ProfEvntProc' && s > 0).map(([name, s]): [string, number] => [THREAD_NAMES[name] ?? `thread ${name}`, s]),
  ];
  return [
    '',
    `## Where the worker's time goes (${f.label}, M=1 again with the worker under \`--cpu-prof\`)`,
    '',
    `${run.deliveries} deliveries in ${p.summary.windowSeconds} s (${run.deliveriesPerSec}/s under the profiler). The worker process used ${r(worker)} CPU-s ` +
      `(${r(worker * k)} per 1,000 deliveries) plus ${p.osThreads['v8:ProfEvntProc'] ?? 0} in the profiler's thread. Per-thread CPU comes from /proc; ` +
      `the JS threads' CPU (${r(js)} s) is split by the profile's samples, each charged to the package or Hookline file that called into Node or V8.`,
    '',
    '| where | CPU-s per 1,000 deliveries | share of the worker |',
    '|---|---|---|',
    ...rows.sort((a, b) => b[1] - a[1]).map(([name, s]) => `| ${name} | ${r(s * k)} | ${pct(s)} |`),
    '',
    'JS threads sampled: ' + p.summary.threads.map((t) => `${t.thread} ${t.seconds} s`).join('; ') + '.',
    '',
    'Top scripts by self-time (builtins charged to their calling script): ' + p.summary.topScripts.map((s) => `${s.script} ${s.seconds} s`).join(', ') + '.',
    '',
    'Top owners (Node internals charged to the package or Hookline file that called them): ' + p.summary.topOwners.map((s) => `${s.owner} ${s.seconds} s`).join(', ') + '.',
    '',
    'JSON.parse/stringify are V8 builtins that the profile folds into their callers (protobuf, postgres, undici, Hookline), so they have no row of their own.',
  ];
}

function bareLine(title: string, bare: BareResult | undefined, perSec?: number | null): string {
  return (
    `${title} (1 workflow, 1 activity): ${v(bare?.workflowsPerSec ?? perSec)} workflows/s` +
    (bare ? `, start→receipt ${lat(bare.startToReceiptMs)} ms, ${bare.cost.actionsPerDelivery} actions and ${bare.cost.historyEventsPerDelivery} history events each, ${bare.cpuSecondsPer1000.temporal} CPU-s of Temporal per 1,000 (+ ${bare.cpuSecondsPer1000.driver} in the bench process: worker and receiver).` : '.')
  );
}

export function renderMarkdown(r: BenchResults, resultsDir: string): string {
  const columns = Object.values(r.runs).map((run) => ({ title: run.label, run, bare: bareFor(r, run) }));
  const baseline = r.baseline ? Object.values(r.baseline.runs).map((run) => ({ title: `${run.label} (baseline ${path.basename(r.baseline!.file)})`, run, bare: r.bareTemporalPerSec })) : [];
  const bare = r.bareTemporal;
  const lines = [
    `# Benchmark ${r.stamp}`,
    '',
    `N=${r.size}, fan-out ${r.fanout}, engine ${r.engine}${r.eagerActivities === false ? ' (eager activities off)' : ''}, HOOKLINE_LOCAL_SEND=${r.localSend}${r.engineSettings && (r.engineSettings.historyShards !== 4 || Object.keys(r.engineSettings.dynamicConfig).length) ? `, engine settings tried ${JSON.stringify(r.engineSettings)}` : ''}, tree ${r.tree}${r.code ? ` at ${r.code.commit} (+${r.code.changedFiles} changed files)` : ''}, ${r.cores} cores, Node ${r.node}.`,
    `Machine: load average ${r.machine.loadAverageAtStart} at start${r.machine.quiet ? '' : ' — NOT QUIET: figures taken under load'} (waited ${r.machine.waitedSeconds} s), ${v(r.machine.loadAverageAtEnd)} at the end.`,
    '',
    `Raw HTTP (sign + POST, Node): ${v(r.rawRequestsPerSec)} requests/s.`,
    ...(r.bareByEngine ? Object.entries(r.bareByEngine).map(([engine, b]) => bareLine(`Bare Temporal on ${engine}`, b!)) : [bareLine('Bare Temporal', bare, r.bareTemporalPerSec)]),
    '',
    ...figureTable([...columns, ...baseline]),
    ...brokerSection(r),
    '',
    ...(r.ab
      ? [
          '## A/B (this tree over the other, medians of the rounds)',
          '',
          '| run | rounds | CPU-s per 1,000 A/B | deliveries/s M=1 A/B | M=10 A/B | history events A, B |',
          '|---|---|---|---|---|---|',
          ...Object.entries(r.ab).map(([k, x]) => `| ${k} | ${x.rounds} | ${v(x.cpuPer1000)} | ${v(x.deliveriesPerSecM1)} | ${v(x.deliveriesPerSecM10)} | ${v(x.historyEvents.a)}, ${v(x.historyEvents.b)} |`),
          '',
        ]
      : []),
    '## Targets',
    '',
    '| run | target | value | met |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.run} | ${t.target} | ${t.value} | ${t.met === null ? 'n/a' : t.met ? 'met' : 'not met'} |`),
    ...Object.values(r.runs).flatMap(profileSection),
    '',
    `Files: ${path.relative(process.cwd(), path.join(resultsDir, `${r.stamp}.json`))} (every figure and detail).`,
  ];
  return lines.join('\n') + '\n';
}

export function writeResults(r: BenchResults, resultsDir: string): { json: string; md: string; text: string } {
  mkdirSync(resultsDir, { recursive: true });
  const json = path.join(resultsDir, `${r.stamp}.json`);
  const md = path.join(resultsDir, `${r.stamp}.md`);
  const text = renderMarkdown(r, resultsDir);
  writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(md, text);
  return { json, md, text };
}

export function readResults(file: string): BenchResults {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
}

/** `npx tsx bench/report.ts <result.json>`: renders its .md again (targets re-evaluated), e.g. after a change here. */
if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/report.ts bench/results/<stamp>.json');
  const r = readResults(file);
  r.targets = evaluateTargets(r);
  console.log(writeResults(r, path.dirname(path.resolve(file))).text);
}
