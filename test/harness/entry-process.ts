import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** An entry point (bin/api.ts, bin/worker.ts, a harness script) run as the operator runs it, its output kept by line. */
export interface EntryProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>;
  stop(): Promise<number | string>;
}

export function startEntry(script: string, env: Record<string, string>): EntryProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../..', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      into.push(...lines);
    });
    stream.on('end', () => partial && into.push(partial));
  };
  collect(child.stdout!, stdout);
  collect(child.stderr!, stderr);
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child, stdout, stderr, exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Lines that are not one JSON object each (what a log shipper would choke on). */
export function nonJsonLines(lines: string[]): string[] {
  return lines.filter((line) => {
    if (!line.trim()) return false;
    try {
      return typeof JSON.parse(line) !== 'object';
    } catch {
      return true;
    }
  });
}
