import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of its own (Debian's pg_createcluster), for tests and proofs that stop and
 * restart Postgres: the shared server on 5432 is never touched. Needs root and postgresql-common.
 */
export interface PgCluster {
  name: string;
  port: number;
  /** The server's own log (pg_createcluster's default place). */
  logFile: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** `immediate` is a crash: no checkpoint, clients cut off at once. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  drop(): Promise<void>;
}

export interface PgClusterOptions {
  /** `max_connections` (default 40). */
  maxConnections?: number;
}

function installedVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL cluster version under /etc/postgresql');
  return versions[0];
}

/** Stops and removes the cluster `name` if it exists (for cleaning up after a run that was killed). */
export async function dropPgClusterIfExists(name: string): Promise<boolean> {
  if (name === 'main') throw new Error('refusing to drop the cluster named main');
  const version = installedVersion();
  if (!existsSync(`/etc/postgresql/${version}/${name}`)) return false;
  await run('pg_dropcluster', [version, name, '--stop']);
  return true;
}

export async function createPgCluster(name: string, port: number, opts: PgClusterOptions = {}): Promise<PgCluster> {
  if (name === 'main') throw new Error('refusing to manage the cluster named main');
  const version = installedVersion();
  const ctl = (...args: string[]) => run('pg_ctlcluster', [version, name, ...args]);
  const maxConnections = opts.maxConnections ?? 40;
  await run('pg_createcluster', [version, name, '-p', String(port), '--start', '-o', `max_connections=${maxConnections}`, '-o', 'fsync=off', '--', '--auth=trust']);
  return {
    name,
    port,
    logFile: `/var/log/postgresql/postgresql-${version}-${name}.log`,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async (mode = 'fast') => void (await ctl('stop', '-m', mode)),
    start: async () => void (await ctl('start')),
    drop: async () => void (await run('pg_dropcluster', [version, name, '--stop'])),
  };
}
