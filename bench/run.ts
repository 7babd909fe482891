import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, round, waitForIdleMachine, waitForQuiet } from './cpu';
import { measureBare, measureHookline, measureRaw, type Phase } from './driver';
import { analyseProfiles, profilesIn } from './profile';
import { BenchReceiver } from './receiver';
import { evaluateTargets, figures, readResults, writeResults, type BenchResults, type RunFigures } from './report';
import { EAGER_ACTIVITIES, startStack, type Engine, type Stack, type Topology } from './topologies';

/**
 * `npm run bench [-- options]`: raw HTTP, bare Temporal, and Hookline end to end in one or both
 * topologies, each on a Temporal and a database of its own, with the CPU of every process.
 *   --size N            events per run (1000)          --fanout K       endpoints of the fan-out (1000)
 *   --topology one|split|both (both)                    --local-send     HOOKLINE_LOCAL_SEND=true
 *   --engine dev|postgres|both (dev)                    --tree DIR       the Hookline checkout to run (this one)
 *     both: bare Temporal and every topology on the dev server, then on the Postgres-backed server
 *   --phases raw,bare,accept,m1,m10,half,fanout         --profile        M=1 once more, the split worker under --cpu-prof
 *   --baseline FILE     an earlier result (the pre-outbox code) for the "× before" targets
 *   --max-load 0.8 --quiet-minutes 25                   wait for a quiet machine first (0 minutes: don't)
 * BENCH_EAGER_ACTIVITIES=0 runs Temporal without eager activity execution.
 * Writes bench/results/<stamp>.{json,md}. See README "Performance".
 */
const { values: flags } = parseArgs({
  options: {
    size: { type: 'string', default: process.env.BENCH_SIZE ?? '1000' },
    fanout: { type: 'string', default: '1000' },
    topology: { type: 'string', default: 'both' },
    'local-send': { type: 'boolean', default: false },
    engine: { type: 'string', default: 'dev' },
    tree: { type: 'string', default: path.resolve(__dirname, '..') },
    phases: { type: 'string', default: 'raw,bare,accept,m1,m10,half,fanout' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'max-load': { type: 'string', default: '0.8' },
    'quiet-minutes': { type: 'string', default: '25' },
  },
});
const N = Number(flags.size);
const FANOUT = Number(flags.fanout);
const TREE = path.resolve(flags.tree);
const ENGINE = flags.engine as Engine | 'both';
const ENGINES: Engine[] = ENGINE === 'both' ? ['dev', 'postgres'] : [ENGINE];
const TOPOLOGIES: Topology[] = flags.topology === 'both' ? ['one', 'split'] : [flags.topology as Topology];
const PHASES = flags.phases.split(',');
const LOCAL_SEND = flags['local-send'];
const WORKER_CONCURRENCY = Number(process.env.HOOKLINE_WORKER_CONCURRENCY ?? 100);
if (!existsSync(path.join(TREE, 'package.json'))) throw new Error(`--tree ${TREE}: no package.json there`);
if (!(N > 0) || !(FANOUT >= 0) || !['dev', 'postgres', 'both'].includes(ENGINE) || !TOPOLOGIES.every((t) => t === 'one' || t === 'split')) {
  throw new Error('usage: npm run bench -- [--size N] [--fanout K] [--topology one|split|both] [--local-send] [--engine dev|postgres|both] [--tree DIR] [--phases ...] [--profile] [--baseline FILE]');
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

async function main(): Promise<void> {
  const machine = await waitForQuiet(Number(flags['max-load']), QUIET_MINUTES, log);
  mkdirSync(runDir, { recursive: true });
  const receiver = new BenchReceiver();
  await receiver.start();
  let current: Stack | undefined;
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
      const onEngine = ENGINE === 'both' && engine !== 'dev' ? ` (${engine})` : '';
      if (PHASES.includes('bare')) {
        await idleCheck(`bare Temporal${onEngine}`);
        const bare = await measureBare(receiver, N, WORKER_CONCURRENCY, engine, path.join(runDir, `bare-${engine}`), log);
        if (ENGINE === 'both') results.bareByEngine = { ...results.bareByEngine, [engine]: bare };
        if (engine === ENGINES[0]) {
          results.bareTemporal = bare;
          results.bareTemporalPerSec = bare.workflowsPerSec;
        }
        log(`bare Temporal${onEngine}: ${bare.workflowsPerSec} workflows/s, ${bare.cpuSecondsPer1000.temporal} CPU-s of Temporal per 1,000`);
      }
      for (const topology of TOPOLOGIES) {
        const label = `${topology}${onEngine}${LOCAL_SEND ? ' + local send' : ''}${TREE === path.resolve(__dirname, '..') ? '' : ` (${path.basename(TREE)})`}`;
        const idle = await idleCheck(label);
        const profileDir = flags.profile && topology === 'split' ? path.join(runDir, `${topology}-${engine}`, 'profile') : undefined;
        if (profileDir) mkdirSync(profileDir, { recursive: true });
        current = await startStack({ label, tree: TREE, topology, engine, localSend: LOCAL_SEND, maxEndpointsPerTenant: Math.max(FANOUT, 10), dir: path.join(runDir, `${topology}-${engine}`), log });
        let run: RunFigures;
        try {
          const measured = await measureHookline(current, receiver, { size: N, fanout: FANOUT, phases: PHASES as Phase[], profileDir, log });
          run = { ...figures(label, topology, TREE, LOCAL_SEND, measured, engine), othersCoresBeforeStart: idle.busyCores };
        } finally {
          await current.stop(); // a profiled worker writes its profile as it exits
          current = undefined;
        }
        const window = run.details.profiled?.window;
        if (profileDir && window) {
          const summary = analyseProfiles(profilesIn(profileDir, window.pid), window);
          run.profile = { summary, osThreads: window.threads, processSeconds: round(Object.values(window.threads).reduce((a, b) => a + b, 0)) };
        }
        results.runs[`${topology}${onEngine}`] = run;
      }
    }
  } finally {
    await receiver.close();
  }
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
