import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of its own (Debian's pg_createcluster), for tests and proofs that stop and
 * restart Postgres: the shared server on 5432 is never touched. Needs root and postgresql-common.
 */
export interface PgCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** `immediate` is a crash: no checkpoint, clients cut off at once. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  drop(): Promise<void>;
}

function installedVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL cluster version under /etc/postgresql');
  return versions[0];
}

export async function createPgCluster(name: string, port: number): Promise<PgCluster> {
  const version = installedVersion();
  const ctl = (...args: string[]) => run('pg_ctlcluster', [version, name, ...args]);
  await run('pg_createcluster', [version, name, '-p', String(port), '--start', '-o', 'max_connections=40', '-o', 'fsync=off', '--', '--auth=trust']);
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async (mode = 'fast') => void (await ctl('stop', '-m', mode)),
    start: async () => void (await ctl('start')),
    drop: async () => void (await run('pg_dropcluster', [version, name, '--stop'])),
  };
}
