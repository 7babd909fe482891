import path from 'node:path';
import { loadConfigOrExit } from '../../infra/config';
import { findOrBuildTemporalCli } from './temporal-cli';
import { devServerArgs } from './temporal-dev-server';
import { SERVER_FLAGS, runTemporalServer } from './temporal-server/cli';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/**
 * `npm run temporal [-- --db-file <path>] [--headless] [--engine dev|postgres]`: Temporal alone, on
 * TEMPORAL_ADDRESS's port, with its Web UI on that port + 1000 and our search attributes.
 * - dev (default): `temporal server start-dev`, one process on SQLite, data in `.data/temporal.db`;
 * - postgres: the real server (v1.29, built from its Go module on first use) on PostgreSQL
 *   (TEMPORAL_DB_HOST/PORT/USER/PASSWORD/PREFIX or --db-host/--db-port/--db-user/--db-prefix;
 *   the local server and `hookline_temporal*` databases by default; tools/temporal/temporal-server/).
 */
async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      'db-file': { type: 'string' },
      headless: { type: 'boolean' },
      engine: { type: 'string', default: 'dev' },
      'db-host': SERVER_FLAGS['db-host'],
      'db-port': SERVER_FLAGS['db-port'],
      'db-user': SERVER_FLAGS['db-user'],
      'db-prefix': SERVER_FLAGS['db-prefix'],
      'data-dir': SERVER_FLAGS['data-dir'],
    },
  });
  const config = loadConfigOrExit(process.env, { serving: false });
  const [ip, port] = config.temporal.address.split(':') as [string, string];
  if (flags.engine === 'postgres') {
    const passed = (['db-host', 'db-port', 'db-user', 'db-prefix', 'data-dir'] as const).flatMap((f) => (flags[f] ? [`--${f}`, flags[f]] : []));
    return runTemporalServer(['--ip', ip, '--port', port, ...(flags.headless ? ['--headless'] : []), ...passed]);
  }
  const serverOnly = (['db-host', 'db-port', 'db-user', 'db-prefix', 'data-dir'] as const).find((f) => flags[f]);
  if (serverOnly && flags.engine === 'dev') throw new Error(`--${serverOnly}: only with --engine postgres (the dev server keeps its data in --db-file)`);
  if (flags.engine !== 'dev') throw new Error(`--engine: expected dev or postgres, got ${flags.engine}`);
  const binary = await findOrBuildTemporalCli();
  const args = devServerArgs({
    binary,
    ip,
    port: Number(port),
    uiPort: flags.headless ? undefined : Number(port) + 1000,
    dbFile: path.resolve(flags['db-file'] ?? path.join(__dirname, '..', '..', '.data', 'temporal.db')),
    namespace: config.temporal.namespace,
    stdio: 'inherit',
  });
  console.error(`hookline: Temporal on ${config.temporal.address}${flags.headless ? '' : `, Web UI on http://${ip}:${Number(port) + 1000}`}`);
  const child = spawn(binary, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((err: unknown) => {
  console.error(`hookline: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
