import { execFile } from 'node:child_process';
import postgres from 'postgres';

export interface DatabaseServer {
  host: string;
  port: number;
  user: string;
  password?: string;
}

export const LOCAL_POSTGRES: DatabaseServer = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export interface TemporalDatabases {
  main: string;
  visibility: string;
}

/** The prefix ends up unquoted in SQL (the sql tool's DROP) and in the server's config. */
export function temporalDatabases(prefix: string): TemporalDatabases {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`database prefix must match [a-z][a-z0-9_]*: ${JSON.stringify(prefix)}`);
  return { main: `${prefix}_temporal`, visibility: `${prefix}_temporal_visibility` };
}

function sqlTool(binary: string, server: DatabaseServer, database: string, args: string[]): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', server.host, '-p', String(server.port), '-u', server.user];
  if (server.password) base.push('--pw', server.password);
  return new Promise((resolve, reject) => {
    execFile(binary, [...base, '--db', database, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-10).join('\n');
      reject(new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${err.message}\n${output}`));
    });
  });
}

/**
 * Creates the two databases and brings their schemas to the binary's version, as auto-setup does.
 * Every step is a no-op when already done, so it runs on every start (and upgrades after a bump).
 * The schemas are the ones embedded in temporal-sql-tool (--schema-name), the same files as
 * schema/postgresql/v12/ in the module, so they always match the server built with it.
 */
export async function prepareTemporalDatabases(binary: string, server: DatabaseServer, dbs: TemporalDatabases): Promise<void> {
  const prepare = async (database: string, schema: 'temporal' | 'visibility') => {
    await sqlTool(binary, server, database, ['create-database']);
    await sqlTool(binary, server, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(binary, server, database, ['update-schema', '--schema-name', `postgresql/v12/${schema}`]);
  };
  await Promise.all([prepare(dbs.main, 'temporal'), prepare(dbs.visibility, 'visibility')]);
}

/** Drops `<prefix>_temporal` and `<prefix>_temporal_visibility` (only those), even while a server is still connected. */
export async function dropTemporalDatabases(prefix: string, server: DatabaseServer = LOCAL_POSTGRES): Promise<void> {
  const dbs = temporalDatabases(prefix);
  const sql = postgres({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    for (const name of [dbs.main, dbs.visibility]) await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await sql.end();
  }
}
