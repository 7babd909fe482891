import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, round, waitForIdleMachine, waitForQuiet } from './cpu';
import { measureBare, measureHookline, measureRaw, type Phase } from './driver';
import { analyseProfiles, profilesIn } from './profile';
import { BenchReceiver } from './receiver';
import { abRatios, evaluateTargets, figures, readResults, writeResults, type BenchResults, type RunFigures } from './report';
import { EAGER_ACTIVITIES, ENGINE_SETTINGS, ENGINES as ALL_ENGINES, startStack, TOPOLOGY_NAMES, type Engine, type Stack, type Topology } from './topologies';

/**
 * `npm run bench [-- options]`: raw HTTP, bare Temporal, and Hookline end to end in one or both
 * topologies, each on a Temporal and a database of its own, with the CPU of every process.
 *   --size N            events per run (1000)          --fanout K       endpoints of the fan-out (1000)
 *   --topology one|split|split2|both, or a list (both) --local-send     HOOKLINE_LOCAL_SEND=true
 *   --engine dev-file|postgres|dev-memory|both|all (both) --tree DIR     the Hookline checkout to run (this one)
 *     both: the engines users run, bare Temporal and every topology on the dev server with its SQLite
 *     file, then on the Postgres-backed server; dev-memory (the dev server in memory, labelled so)
 *     only when asked, alone or in `all`
 *   --phases raw,bare,accept,m1,m10,half,rate,fanout,contention   --profile   M=1 once more, the split worker under --cpu-prof
 *     rate: N events at a fixed --rate R events/s (50) to one endpoint, held or not
 *     contention: M=1 again and a fixed 15 events/s with a CPU hog (one busy core) beside the stack
 *     brokers (only when named): M=1 again with the endpoint a RabbitMQ, NATS JetStream and Redis
 *     Streams one on this machine's brokers (BENCH_AMQP_URL, BENCH_NATS_URL, BENCH_REDIS_URL), a
 *     consumer timing arrivals as the receiver does for HTTP; with m1 it reads beside HTTP
 *   --baseline FILE     an earlier result (the pre-outbox code) for the "× before" targets
 *   --max-load 0.8 --quiet-minutes 25                   wait for a quiet machine first (0 minutes: don't)
 *   --ab DIR --rounds R  A/B: DIR's stack beside this tree's on every engine and topology, R rounds in
 *                        ABBA order (same machine, same minutes), so before/after is a ratio of one run
 * BENCH_EAGER_ACTIVITIES=0 runs Temporal without eager activity execution.
 * Writes bench/results/<stamp>.{json,md}. See README "Performance".
 */
const { values: flags } = parseArgs({
  options: {
    size: { type: 'string', default: process.env.BENCH_SIZE ?? '1000' },
    fanout: { type: 'string', default: '1000' },
    topology: { type: 'string', default: 'both' },
    'local-send': { type: 'boolean', default: false },
    engine: { type: 'string', default: 'both' },
    tree: { type: 'string', default: path.resolve(__dirname, '..') },
    phases: { type: 'string', default: 'raw,bare,accept,m1,m10,half,rate,fanout,contention' },
    rate: { type: 'string', default: '50' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'max-load': { type: 'string', default: '0.8' },
    'quiet-minutes': { type: 'string', default: '25' },
    ab: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
const N = Number(flags.size);
const FANOUT = Number(flags.fanout);
const TREE = path.resolve(flags.tree);
const ENGINE = flags.engine as Engine | 'both' | 'all';
const ENGINES: Engine[] = ENGINE === 'both' ? ['dev-file', 'postgres'] : ENGINE === 'all' ? ALL_ENGINES : [ENGINE];
const TOPOLOGIES = (flags.topology === 'both' ? ['one', 'split'] : flags.topology.split(',')) as Topology[];
const PHASES = flags.phases.split(',');
const LOCAL_SEND = flags['local-send'];
/** `--ab DIR`: another checkout (e.g. the code before a change) measured beside this one, run for run. */
const AB_TREE = flags.ab ? path.resolve(flags.ab) : undefined;
const ROUNDS = Math.max(1, Number(flags.rounds));
const WORKER_CONCURRENCY = Number(process.env.HOOKLINE_WORKER_CONCURRENCY ?? 100);
if (!existsSync(path.join(TREE, 'package.json'))) throw new Error(`--tree ${TREE}: no package.json there`);
if (!(N > 0) || !(FANOUT >= 0) || ![...ALL_ENGINES, 'both', 'all'].includes(ENGINE) || !TOPOLOGIES.every((t) => TOPOLOGY_NAMES.includes(t))) {
  throw new Error('usage: npm run bench -- [--size N] [--fanout K] [--topology one|split|split2|both] [--local-send] [--engine dev-file|postgres|dev-memory|both|all] [--tree DIR] [--phases ...] [--profile] [--baseline FILE]');
}

const log = (line: string) => console.log(`bench: ${line}`);
const QUIET_MINUTES = Number(flags['quiet-minutes']);
/** Before each measured part: nobody else busy right now (the load average lags by a minute). */
const idleCheck = async (before: string) => {
  const idle = await waitForIdleMachine(0.25, Math.min(QUIET_MINUTES, 10), log);
  if (!idle.idle) log(`others still use ${idle.busyCores} cores before ${before}: measuring anyway`);
  return idle;
};
const date = new Date();
const stamp = date.toISOString().replace(/[:.]/g, '-').slice(0, 19);
const runDir = path.resolve(__dirname, '..', '.data', 'bench', stamp);
let receiver: BenchReceiver | undefined;
let current: Stack | undefined;

/** One Hookline stack of `tree` on its own Temporal and database, measured phase by phase, then stopped. */
async function runOne(tree: string, topology: Topology, engine: Engine, onEngine: string): Promise<RunFigures> {
  const label = `${topology}${onEngine}${LOCAL_SEND ? ' + local send' : ''}${tree === path.resolve(__dirname, '..') ? '' : ` (${path.basename(tree)})`}`;
  const idle = await idleCheck(label);
  const dir = path.join(runDir, `${topology}-${engine}-${path.basename(tree)}-${Date.now().toString(36)}`);
  const profileDir = flags.profile && topology === 'split' ? path.join(dir, 'profile') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const stack = (current = await startStack({ label, tree, topology, engine, localSend: LOCAL_SEND, maxEndpointsPerTenant: Math.max(FANOUT, 10), dir, log }));
  let run: RunFigures;
  try {
    const measured = await measureHookline(stack, receiver!, { size: N, fanout: FANOUT, phases: PHASES as Phase[], ratePerSec: Number(flags.rate), profileDir, log });
    run = { ...figures(label, topology, tree, LOCAL_SEND, measured, engine), othersCoresBeforeStart: idle.busyCores };
  } finally {
    await stack.stop(); // a profiled worker writes its profile as it exits
    current = undefined;
  }
  const window = run.details.profiled?.window;
  if (profileDir && window) {
    const summary = analyseProfiles(profilesIn(profileDir, window.pid), window);
    run.profile = { summary, osThreads: window.threads, processSeconds: round(Object.values(window.threads).reduce((a, b) => a + b, 0)) };
  }
  return run;
}

async function main(): Promise<void> {
  const machine = await waitForQuiet(Number(flags['max-load']), QUIET_MINUTES, log);
  mkdirSync(runDir, { recursive: true });
  receiver = new BenchReceiver();
  await receiver.start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping and dropping what this run made`);
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const results: BenchResults = {
    stamp,
    date: date.toISOString(),
    size: N,
    fanout: FANOUT,
    engine: ENGINE,
    eagerActivities: EAGER_ACTIVITIES,
    engineSettings: ENGINE_SETTINGS,
    localSend: LOCAL_SEND,
    tree: TREE,
    code: codeVersion(TREE),
    cores: os.cpus().length,
    node: process.version,
    machine: { quiet: machine.quiet, loadAverageAtStart: machine.loadAverage, waitedSeconds: machine.waitedSeconds },
    rawRequestsPerSec: null,
    bareTemporalPerSec: null,
    runs: {},
    targets: [],
  };
  log(`N=${N}, fan-out ${FANOUT}, ${TOPOLOGIES.join(' and ')}, engine ${ENGINE}, local send ${LOCAL_SEND}, tree ${TREE}, load average ${machine.loadAverage}${machine.quiet ? '' : ' (NOT QUIET)'}`);
  try {
    if (PHASES.includes('raw')) {
      results.rawRequestsPerSec = (await measureRaw(receiver, N, WORKER_CONCURRENCY)).requestsPerSec;
      log(`raw: ${results.rawRequestsPerSec} requests/s`);
    }
    for (const engine of ENGINES) {
      // Every run says its engine; the in-memory dev server says so loudly.
      const onEngine = engine === 'dev-memory' ? ' (dev-memory: in memory, not what users run)' : ` (${engine})`;
      if (PHASES.includes('bare')) {
        await idleCheck(`bare Temporal${onEngine}`);
        const bare = await measureBare(receiver, N, WORKER_CONCURRENCY, engine, path.join(runDir, `bare-${engine}`), log);
        if (ENGINES.length > 1) results.bareByEngine = { ...results.bareByEngine, [engine]: bare };
        if (engine === ENGINES[0]) {
          results.bareTemporal = bare;
          results.bareTemporalPerSec = bare.workflowsPerSec;
        }
        log(`bare Temporal${onEngine}: ${bare.workflowsPerSec} workflows/s, ${bare.cpuSecondsPer1000.temporal} CPU-s of Temporal per 1,000`);
      }
      for (const topology of TOPOLOGIES) {
        // --ab: the other tree's run beside each of this tree's, in ABBA order over the rounds.
        for (let round = 0; round < ROUNDS; round++) {
          const order = !AB_TREE ? [TREE] : round % 2 === 0 ? [TREE, AB_TREE] : [AB_TREE, TREE];
          for (const tree of order) {
            const key = `${topology} (${engine})${tree === TREE ? '' : ` [B ${path.basename(tree)}]`}${ROUNDS > 1 ? ` #${round + 1}` : ''}`;
            results.runs[key] = await runOne(tree, topology, engine, onEngine);
          }
        }
      }
    }
  } finally {
    await receiver.close();
  }
  for (const engine of ENGINES) {
    const runs = Object.values(results.runs).filter((r) => r.engine === engine && r.tree === TREE);
    const main = runs.find((r) => r.topology === 'split') ?? runs[0];
    if (main?.cpuSecondsPer1000) results.cpuSecondsPer1000 = { ...results.cpuSecondsPer1000, [engine]: main.cpuSecondsPer1000.total };
    if (main?.historyEventsPerDelivery != null) results.historyEventsPerDelivery = { ...results.historyEventsPerDelivery, [engine]: main.historyEventsPerDelivery };
  }
  if (AB_TREE) results.ab = abRatios(results, TREE, AB_TREE);
  if (flags.baseline) results.baseline = { file: flags.baseline, runs: readResults(flags.baseline).runs };
  results.machine.loadAverageAtEnd = loadAverage();
  results.targets = evaluateTargets(results);
  const { json, md, text } = writeResults(results, path.join(__dirname, 'results'));
  console.log(`\n${text}\nbench: written to ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), md)}; process logs in ${path.relative(process.cwd(), runDir)}`);
}

/** The commit of the tree measured, and how many files differ from it (others edit the tree while the bench waits). */
function codeVersion(tree: string): { commit: string; changedFiles: number } {
  const git = (...args: string[]) => execFileSync('git', ['-C', tree, ...args], { encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), changedFiles: git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', changedFiles: 0 };
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
