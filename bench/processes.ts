import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { groupAlive } from './cpu';

/**
 * One script of a Hookline tree (`npm run api`, ...) in its own process group, its output in
 * `<logDir>/<name>.log`. Like tools/proof/processes.ts, but in any tree (the bench also runs an
 * older checkout), with node flags when asked (`--cpu-prof` cannot go through NODE_OPTIONS), and
 * a stop that waits for the whole group, so a profiled worker gets to write its profile.
 */
export interface Proc {
  name: string;
  pid: number;
  exited: Promise<number | null>;
  running(): boolean;
  /** SIGSTOP / SIGCONT to the whole group. */
  pause(paused: boolean): void;
  stop(graceMs?: number): Promise<void>;
}

export interface ScriptOptions {
  name: string;
  /** The checkout whose package.json scripts run. */
  tree: string;
  script: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** Node flags for the script's own process: the tsx script is run as `tsx <flags> <file>` instead of through npm. */
  nodeFlags?: string[];
}

function command(opts: ScriptOptions): [string, string[]] {
  if (!opts.nodeFlags?.length) return ['npm', ['run', '--silent', opts.script]];
  const scripts = (JSON.parse(readFileSync(path.join(opts.tree, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [runner, ...args] = (scripts[opts.script] ?? '').split(/\s+/);
  if (runner !== 'tsx') throw new Error(`npm run ${opts.script} in ${opts.tree} is not a tsx script; cannot add node flags`);
  return [path.join(opts.tree, 'node_modules', '.bin', 'tsx'), [...opts.nodeFlags, ...args]];
}

export function startScript(opts: ScriptOptions): Proc {
  const fd = openSync(path.join(opts.logDir, `${opts.name}.log`), 'a');
  const [file, args] = command(opts);
  const child: ChildProcess = spawn(file, args, { cwd: opts.tree, env: opts.env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid!;
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => ((done = true), resolve(code)));
    child.once('error', () => ((done = true), resolve(null))); // could not start (no such tree or command)
  });
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // the group is gone
    }
  };
  return {
    name: opts.name,
    pid,
    exited,
    running: () => !done,
    pause: (paused) => signal(paused ? 'SIGSTOP' : 'SIGCONT'),
    async stop(graceMs = 15_000) {
      // tsx run directly (node flags) relays a SIGTERM to its node child: one sent to the whole group
      // would reach that child twice, and the second ends it by default mid-shutdown, before
      // --cpu-prof writes its profile.
      if (opts.nodeFlags?.length) process.kill(pid, 'SIGTERM');
      else signal('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(pid)) process.stderr.write(`bench: ${opts.name} (pid ${pid}) still running ${graceMs} ms after SIGTERM: SIGKILL\n`);
      signal('SIGKILL');
      await exited;
    },
  };
}
