import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time from /proc: the process trees the bench started (Temporal, each Hookline process), the
 * Postgres cluster (its postmaster's tree), the bench process itself, and the whole machine, so
 * that every figure can say how much of the machine someone else used meanwhile.
 */

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export type TreeKind = 'temporal' | 'node' | 'postgres';

/** A process and all its descendants, under a name (`worker`, `temporal`, ...). */
export interface TreeSpec {
  name: string;
  kind: TreeKind;
  pid: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  comm: string;
  /** utime + stime */
  ticks: number;
  /** cutime + cstime: the children it has reaped */
  childTicks: number;
}

function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, text.indexOf(' '))),
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0]!,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    ticks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
  };
}

function readStat(path: string): ProcStat | undefined {
  try {
    return parseStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // gone meanwhile
  }
}

export function processTable(): ProcStat[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(`/proc/${d}/stat`))
    .filter((s): s is ProcStat => s !== undefined);
}

/** `root` and its live descendants. */
export function descendants(table: ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid)!.push(p);
  }
  const out: ProcStat[] = [];
  const stack = table.filter((p) => p.pid === root);
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/**
 * CPU seconds used so far by the tree: each live process's own time plus what it has reaped of
 * its children (a Postgres backend that came and went is in its postmaster's cutime).
 */
function treeSeconds(table: ProcStat[], root: number): number {
  return descendants(table, root).reduce((sum, p) => sum + p.ticks + p.childTicks, 0) / TICKS_PER_SECOND;
}

/** CPU seconds so far of `pid` and its descendants (a broker's server, measured beside the trees). */
export function cpuSecondsOf(pid: number): number {
  return treeSeconds(processTable(), pid);
}

/** Busy CPU seconds of the whole machine (all cores) since boot. */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

export interface CpuSample {
  at: number;
  trees: Record<string, number>;
  driver: number;
  machine: number;
}

export interface CpuUse {
  wallSeconds: number;
  /** Temporal + every Hookline process + Postgres. */
  total: number;
  temporal: number;
  node: number;
  postgres: number;
  byProcess: Record<string, number>;
  /** The bench process: publishers, receiver (and the bare worker in that run). Not in `total`. */
  driver: number;
  /** Everything else on the machine meanwhile (other people's work); ~0 on a quiet machine. */
  otherOnMachine: number;
}

export class CpuMeter {
  constructor(private readonly trees: () => TreeSpec[]) {}

  sample(): CpuSample {
    const table = processTable();
    const { user, system } = process.cpuUsage();
    return {
      at: performance.now(),
      trees: Object.fromEntries(this.trees().map((t) => [t.name, treeSeconds(table, t.pid)])),
      driver: (user + system) / 1e6,
      machine: machineBusySeconds(),
    };
  }

  /** What each tree used between two samples, in CPU seconds. */
  use(a: CpuSample, b: CpuSample): CpuUse {
    const byProcess: Record<string, number> = {};
    const byKind: Record<TreeKind, number> = { temporal: 0, node: 0, postgres: 0 };
    for (const t of this.trees()) {
      const used = (b.trees[t.name] ?? 0) - (a.trees[t.name] ?? 0);
      byProcess[t.name] = round(used);
      byKind[t.kind] += used;
    }
    const total = byKind.temporal + byKind.node + byKind.postgres;
    const driver = b.driver - a.driver;
    return {
      wallSeconds: round((b.at - a.at) / 1000),
      total: round(total),
      temporal: round(byKind.temporal),
      node: round(byKind.node),
      postgres: round(byKind.postgres),
      byProcess,
      driver: round(driver),
      otherOnMachine: round(Math.max(0, b.machine - a.machine - total - driver)),
    };
  }
}

/** CPU seconds per 1,000 of something, from a window's use. */
export function per1000(use: CpuUse, count: number): CpuUse {
  const k = 1000 / count;
  const scale = (x: number) => round(x * k);
  return {
    ...use,
    total: scale(use.total),
    temporal: scale(use.temporal),
    node: scale(use.node),
    postgres: scale(use.postgres),
    byProcess: Object.fromEntries(Object.entries(use.byProcess).map(([n, s]) => [n, scale(s)])),
    driver: scale(use.driver),
    otherOnMachine: scale(use.otherOnMachine),
  };
}

/** CPU seconds so far of each thread of `pid`, summed by thread name (`tokio-runtime-w`, `node`, ...). */
export function threadSeconds(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    const s = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (s) out[s.comm] = (out[s.comm] ?? 0) + s.ticks / TICKS_PER_SECOND;
  }
  return out;
}

/** The busiest process of a tree (the node that runs the script, not npm or the tsx launcher). */
export function busiestProcess(root: number): number | undefined {
  return descendants(processTable(), root).sort((a, b) => b.ticks - a.ticks)[0]?.pid;
}

/** The Postgres cluster's postmaster: the parent of our own backend. */
export function postmasterOf(backendPid: number): number | undefined {
  return readStat(`/proc/${backendPid}/stat`)?.ppid;
}

/** Processes (not zombies) still in process group `pgrp`. */
export function groupAlive(pgrp: number): boolean {
  return processTable().some((p) => p.pgrp === pgrp && p.state !== 'Z');
}

export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Waits until the 1-minute load average is below `maxLoad`, looking every 20 s, for at most
 * `maxMinutes`. Says whether it got there (figures taken otherwise are marked as under load).
 */
export async function waitForQuiet(maxLoad: number, maxMinutes: number, log: (line: string) => void): Promise<{ quiet: boolean; loadAverage: number; waitedSeconds: number }> {
  const started = Date.now();
  for (;;) {
    const load = loadAverage();
    const waitedSeconds = Math.round((Date.now() - started) / 1000);
    if (load < maxLoad) return { quiet: true, loadAverage: load, waitedSeconds };
    if (Date.now() - started >= maxMinutes * 60_000) {
      log(`load average still ${load} after ${maxMinutes} min: measuring anyway, figures marked as taken under load`);
      return { quiet: false, loadAverage: load, waitedSeconds };
    }
    log(`load average ${load} ≥ ${maxLoad}: waiting for a quiet machine (${waitedSeconds} s so far)`);
    await new Promise((r) => setTimeout(r, 20_000));
  }
}

/**
 * Between runs, when none of the bench's processes work: waits until the rest of the machine uses
 * less than `maxCores` over 5 s (someone's test suite may have started since the load average was
 * read), for at most `maxMinutes`.
 */
export async function waitForIdleMachine(maxCores: number, maxMinutes: number, log: (line: string) => void): Promise<{ idle: boolean; busyCores: number; waitedSeconds: number }> {
  const started = Date.now();
  for (;;) {
    const m0 = machineBusySeconds();
    const d0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 5_000));
    const d = process.cpuUsage(d0);
    const busyCores = round((machineBusySeconds() - m0 - (d.user + d.system) / 1e6) / 5);
    const waitedSeconds = Math.round((Date.now() - started) / 1000);
    if (busyCores < maxCores) return { idle: true, busyCores, waitedSeconds };
    if (Date.now() - started >= maxMinutes * 60_000) return { idle: false, busyCores, waitedSeconds };
    log(`others use ${busyCores} cores: waiting for them to finish (${waitedSeconds} s so far)`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Peak resident set (VmHWM) of the largest process of the tree `root`, in MiB: the worker's node, not npm or tsx around it. */
export function peakRssMiB(root: number): number | null {
  let peak = 0;
  for (const p of descendants(processTable(), root)) {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb));
    } catch {
      // gone meanwhile
    }
  }
  return peak ? Math.round(peak / 1024) : null;
}
