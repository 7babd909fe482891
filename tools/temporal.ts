import path from 'node:path';
import { loadConfigOrExit } from '../infra/config';
import { findOrBuildTemporalCli } from './temporal-cli';
import { devServerArgs } from './temporal-dev-server';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/**
 * `npm run temporal [-- --db-file <path>] [--headless]`: the Temporal dev server alone, with its
 * Web UI (on the frontend port + 1000) and our search attributes; data in `.data/temporal.db`.
 */
async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { 'db-file': { type: 'string' }, headless: { type: 'boolean' } } });
  const config = loadConfigOrExit();
  const [ip, port] = config.temporal.address.split(':') as [string, string];
  const binary = await findOrBuildTemporalCli();
  const args = devServerArgs({
    binary,
    ip,
    port: Number(port),
    uiPort: flags.headless ? undefined : Number(port) + 1000,
    dbFile: path.resolve(flags['db-file'] ?? path.join(__dirname, '..', '.data', 'temporal.db')),
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
