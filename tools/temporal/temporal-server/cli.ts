import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTemporalServer } from './start';

/**
 * `npx tsx tools/temporal/temporal-server/cli.ts [--port 7233] [--ui-port <port + 1000> | --headless]
 * [--db-prefix hookline] [--data-dir .data/temporal-server] [--log-level info]`: the real Temporal
 * server on the local PostgreSQL, in the foreground until Ctrl-C, with its Web UI where the dev
 * server has it. Output goes to <data-dir>/temporal.log.
 */
export async function runTemporalServer(args: string[] = process.argv.slice(2)): Promise<void> {
  const { values: flags } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string' },
      headless: { type: 'boolean', default: false },
      ip: { type: 'string', default: '127.0.0.1' },
      'db-host': { type: 'string', default: '127.0.0.1' },
      'db-port': { type: 'string', default: '5432' },
      'db-user': { type: 'string', default: 'postgres' },
      'db-prefix': { type: 'string', default: 'hookline' },
      'data-dir': { type: 'string', default: path.join(process.cwd(), '.data', 'temporal-server') },
      'log-file': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const started = Date.now();
  const port = Number(flags.port);
  const server = await startTemporalServer({
    port,
    uiPort: flags.headless ? undefined : Number(flags['ui-port'] ?? port + 1000),
    ip: flags.ip,
    databaseHost: flags['db-host'],
    databasePort: Number(flags['db-port']),
    databaseUser: flags['db-user'],
    databasePassword: process.env.TEMPORAL_DB_PASSWORD,
    dbPrefix: flags['db-prefix'],
    dataDir: flags['data-dir'],
    logFile: flags['log-file'],
    logLevel: flags['log-level'] as 'debug' | 'info' | 'warn' | 'error',
  });
  console.error(
    `hookline: Temporal ${server.address} ready in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      ` (namespace ${server.namespace}${server.uiUrl ? `, Web UI ${server.uiUrl}` : ''}); Ctrl-C stops it`,
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error('hookline: stopping Temporal');
      server.stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`hookline: Temporal server exited with ${signal ?? code}`);
    void server.stop().then(() => process.exit(1));
  });
}

if (require.main === module) {
  runTemporalServer().catch((err: unknown) => {
    console.error(`hookline: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
