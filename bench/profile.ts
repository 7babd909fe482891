import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small .cpuprofile analyser: self-time by script (package, Node module, Hookline file) within a
 * time window, by owner (Node's own modules charged to the package that called them) and by category. `--cpu-prof` writes one file per thread of the process
 * (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`): the main thread, the SDK's workflow thread
 * (the sandboxed vm contexts) and tsx's loader thread. Time in native threads (the SDK's Rust core,
 * V8's helpers) is in no profile; the caller adds it from /proc.
 * `npx tsx bench/profile.ts <dir> [pid]` prints the summary of a directory of profiles.
 */

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  files: string[];
  windowSeconds: number;
  /** Sampled non-idle seconds, per thread. */
  threads: { thread: string; seconds: number }[];
  /** Seconds per category, all threads, each sample charged to the package or Hookline file that called into Node or V8. */
  byCategory: Record<string, number>;
  /** Self-time by script (builtins and wasm, which have none, charged to the script that called them). */
  topScripts: { script: string; seconds: number }[];
  /** The same, by owner: Node's own modules charged to the package or Hookline file that called them. */
  topOwners: { owner: string; seconds: number }[];
}

const SPECIAL: Record<string, string | null> = {
  '(idle)': null,
  '(root)': null,
  '(garbage collector)': 'V8: garbage collector',
  '(program)': 'V8: (program)',
};

/** The script a frame runs: an npm package, a Node module, a Hookline file, the workflow sandbox; undefined for a builtin or wasm. */
export function scriptOf(frame: CallFrame): string | undefined {
  const { url } = frame;
  if (url === '' || url.startsWith('wasm://')) return undefined;
  if (/workflow-bundle-[0-9a-f]+\.js|^evalmachine/.test(url)) return 'workflow sandbox (bundle, vm)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg) return pkg[1] === '@temporalio/worker' && pkg[2]!.startsWith('lib/workflow/') ? '@temporalio/worker: workflow runner' : pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice('node:'.length).replace(/^internal\/(deps\/)?/, '').split('/')[0]!.replace(/^_/, '').replace(/_.*$/, '')}`;
  const file = url.replace(/^file:\/\//, '');
  const own = /\/(domain|infra|db|services|temporal|api|bin|tools|bench|lib|activities|worker|workflows)\/.*$/.exec(file);
  return own ? `hookline: ${own[0].slice(1)}` : file;
}

const isOwner = (script: string) => !script.startsWith('node:');

const CATEGORIES: [string, (owner: string) => boolean][] = [
  ['workflow sandbox/vm (workflow thread, and the main thread\'s side of it)', (s) => s.startsWith('workflow sandbox') || s === '@temporalio/worker: workflow runner'],
  ['Temporal SDK and core bridge (JS side: native calls, protobuf, rxjs)', (s) => /^(@temporalio\/|protobufjs|@protobufjs\/|long$|rxjs|heap-js|ms$|nexus-rpc|source-map)/.test(s)],
  ['postgres client', (s) => s === 'postgres'],
  ['signing/HMAC and secret decryption', (s) => /hookline: (domain|lib)\/(signing|secrets)/.test(s) || s === 'node:crypto'],
  ['HTTP client (undici)', (s) => s === 'undici' || s === 'node:undici' || s === 'node:http'],
  ['API (hono, zod)', (s) => /^(hono|@hono\/|zod)/.test(s)],
  ['logging (pino)', (s) => /^(pino|sonic-boom|thread-stream|pino-std-serializers|fast-redact|on-exit-leak-free)/.test(s)],
  ['metrics (prom-client)', (s) => s === 'prom-client'],
  ['other Hookline code', (s) => s.startsWith('hookline: ')],
  ['garbage collection', (s) => s === 'V8: garbage collector'],
  ['V8/native (program)', (s) => s === 'V8: (program)'],
  ['module loading, bundling (start-up)', (s) => /^(tsx|esbuild|get-tsconfig|webpack|webpack-sources|enhanced-resolve|terser|acorn|node:modules)/.test(s)],
  ['Node internals not called from a package (event loop, timers, sockets)', (s) => s.startsWith('node:') || s.startsWith('V8 builtin')],
];

const THREAD_CATEGORY = 'workflow sandbox/vm (workflow thread, and the main thread\'s side of it)';

/** Per node id: the script it is charged to, and its owner (the nearest package or Hookline frame). */
function attribution(profile: CpuProfile): Map<number, { script: string; owner: string } | null> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, { script: string; owner: string } | null>();
  const resolve = (id: number): { script: string; owner: string } | null => {
    if (memo.has(id)) return memo.get(id)!;
    const frame = byId.get(id)!.callFrame;
    const up = parent.has(id) ? resolve(parent.get(id)!) : null;
    let out: { script: string; owner: string } | null;
    if (frame.url === '' && frame.functionName in SPECIAL) {
      const special = SPECIAL[frame.functionName];
      out = special ? { script: special, owner: special } : null;
    } else {
      const script = scriptOf(frame) ?? up?.script ?? `V8 builtin: ${frame.functionName || '(anonymous)'}`;
      out = { script, owner: isOwner(script) ? script : (up?.owner ?? script) };
    }
    memo.set(id, out);
    return out;
  };
  for (const n of profile.nodes) resolve(n.id);
  return memo;
}

/** Seconds per (script, owner) of one profile within [startUs, endUs] (the whole profile when absent). */
function sampleTimes(profile: CpuProfile, window?: { startUs: number; endUs: number }): { script: string; owner: string; seconds: number }[] {
  const who = attribution(profile);
  const sums = new Map<string, { script: string; owner: string; seconds: number }>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next
    if (window && (t < window.startUs || t > window.endUs)) continue;
    const w = who.get(profile.samples[i]!);
    if (!w) continue;
    const key = `${w.script}\u0000${w.owner}`;
    const sum = sums.get(key) ?? { ...w, seconds: 0 };
    sum.seconds += dt / 1e6;
    sums.set(key, sum);
  }
  return [...sums.values()];
}

/** Profiles of process `pid` in `dir` (all of them without a pid). */
export function profilesIn(dir: string, pid?: number): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && (pid === undefined || f.split('.')[3] === String(pid)))
    .map((f) => path.join(dir, f));
}

export function analyseProfiles(files: string[], window?: { startUs: number; endUs: number }): ProfileSummary {
  const byScript = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCategory: Record<string, number> = {};
  const threads: ProfileSummary['threads'] = [];
  const add = (m: Map<string, number>, k: string, s: number) => m.set(k, (m.get(k) ?? 0) + s);
  for (const file of files) {
    const times = sampleTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, window);
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const main = path.basename(file).split('.')[4] === '0';
    const workflowThread = !main && times.some((x) => x.script.startsWith('workflow sandbox'));
    let seconds = 0;
    for (const { script, owner, seconds: s } of times) {
      seconds += s;
      add(byScript, script, s);
      add(byOwner, owner, s);
      const category = workflowThread ? THREAD_CATEGORY : (CATEGORIES.find(([, match]) => match(owner))?.[0] ?? 'other');
      byCategory[category] = (byCategory[category] ?? 0) + s;
    }
    threads.push({ thread: `${main ? 'main' : workflowThread ? 'workflow' : 'loader/other'} (${path.basename(file)})`, seconds: r2(seconds) });
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return {
    files: files.map((f) => path.basename(f)),
    windowSeconds: window ? r2((window.endUs - window.startUs) / 1e6) : NaN,
    threads,
    byCategory: Object.fromEntries(Object.entries(byCategory).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r2(v)])),
    topScripts: top(byScript).map(([script, s]) => ({ script, seconds: r2(s) })),
    topOwners: top(byOwner).map(([owner, s]) => ({ owner, seconds: r2(s) })),
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

if (require.main === module) {
  const [dir, pid] = process.argv.slice(2);
  if (!dir) throw new Error('usage: tsx bench/profile.ts <dir> [pid]');
  console.log(JSON.stringify(analyseProfiles(profilesIn(dir, pid ? Number(pid) : undefined)), null, 2));
}
