import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Test runs that died before their global teardown (a crash, a killed jest) leave their Temporal
 * dev server running. Each run notes `<server pid> <jest pid>` here; the next run stops the
 * servers whose jest is gone, and leaves alone those of a run still going.
 */
const FILE = path.join(os.tmpdir(), 'hookline-test-servers');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const entries = (): [number, number][] =>
  existsSync(FILE)
    ? readFileSync(FILE, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').map(Number) as [number, number])
    : [];

const save = (list: [number, number][]) => writeFileSync(FILE, list.map((e) => `${e.join(' ')}\n`).join(''));

export function reapOrphanedServers(): number {
  let reaped = 0;
  const keep = entries().filter(([server, owner]) => {
    if (alive(owner)) return true;
    const cmdline = existsSync(`/proc/${server}/cmdline`) ? readFileSync(`/proc/${server}/cmdline`, 'utf8') : '';
    if (alive(server) && cmdline.includes('start-dev')) {
      process.kill(server, 'SIGTERM');
      reaped += 1;
    }
    return false;
  });
  save(keep);
  return reaped;
}

export function noteServer(serverPid: number): void {
  save([...entries(), [serverPid, process.pid]]);
}

export function forgetServer(serverPid: number): void {
  save(entries().filter(([server]) => server !== serverPid));
}
