import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';

/** One `npm run <script>` in its own process group, its output appended to `<logDir>/<name>.log`. */
export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  running(): boolean;
  /** Signals the whole group (npm, tsx and node), then waits for the exit. */
  kill(signal: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');

export function startNpm(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): Proc {
  const fd = openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => ((done = true), resolve(code))));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    child,
    exited,
    running: () => !done,
    async kill(signal, graceMs = 15_000) {
      if (done) return;
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL'); // whatever of the group outlived npm
    },
  };
}

/** Resident memory (MiB) of the group's process whose command line contains `match`. */
export function rssMiB(proc: Proc, match: string): number | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'rss=,args=', '-g', String(proc.child.pid)], { encoding: 'utf8' });
    const sizes = out
      .split('\n')
      .filter((l) => l.includes(match) && !l.includes('npm run'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    return sizes.length ? Math.max(...sizes) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}
