import path from 'node:path';
import { loadConfigOrExit } from '../../infra/config';
import { findOrBuildTemporalCli } from './temporal-cli';
import { devServerArgs } from './temporal-dev-server';
import { runTemporalServer } from './temporal-server/cli';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/**
 * `npm run temporal [-- --db-file <path>] [--headless] [--engine dev|postgres]`: Temporal alone, on
 * TEMPORAL_ADDRESS's port, with its Web UI on that port + 1000 and our search attributes.
 * - dev (default): `temporal server start-dev`, one process on SQLite, data in `.data/temporal.db`;
 * - postgres: the real server (v1.29, built from its Go module on first use) on the local
 *   PostgreSQL, databases `hookline_temporal` and `hookline_temporal_visibility`
 *   (tools/temporal/temporal-server/).
 */
async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: { 'db-file': { type: 'string' }, headless: { type: 'boolean' }, engine: { type: 'string', default: 'dev' } },
  });
  const config = loadConfigOrExit(process.env, { serving: false });
  const [ip, port] = config.temporal.address.split(':') as [string, string];
  if (flags.engine === 'postgres') {
    return runTemporalServer(['--ip', ip, '--port', port, ...(flags.headless ? ['--headless'] : [])]);
  }
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
