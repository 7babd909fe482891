import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, type Config } from '../../../infra/config';
import { startTemporalServer, type TemporalServerOptions } from './start';

/** Flags `npm run temporal -- --engine postgres` passes through; each database flag overrides its TEMPORAL_DB_* variable. */
export const SERVER_FLAGS = {
  port: { type: 'string' },
  'ui-port': { type: 'string' },
  headless: { type: 'boolean' },
  ip: { type: 'string' },
  'db-host': { type: 'string' },
  'db-port': { type: 'string' },
  'db-user': { type: 'string' },
  'db-prefix': { type: 'string' },
  'data-dir': { type: 'string' },
  'log-file': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

/** The server's options from the flags, then the environment (TEMPORAL_DB_*), then the defaults. */
export function temporalServerOptions(args: string[], config: Pick<Config, 'temporalServerDatabase'>): TemporalServerOptions {
  const { values: flags } = parseArgs({ args, options: SERVER_FLAGS });
  const db = config.temporalServerDatabase;
  const port = Number(flags.port ?? 7233);
  const dbPort = Number(flags['db-port'] ?? db.port);
  if (!Number.isInteger(dbPort) || dbPort < 1 || dbPort > 65535) throw new Error(`--db-port: expected a port, got ${flags['db-port']}`);
  return {
    port,
    uiPort: flags.headless ? undefined : Number(flags['ui-port'] ?? port + 1000),
    ip: flags.ip ?? '127.0.0.1',
    databaseHost: flags['db-host'] ?? db.host,
    databasePort: dbPort,
    databaseUser: flags['db-user'] ?? db.user,
    databasePassword: db.password,
    dbPrefix: flags['db-prefix'] ?? db.prefix,
    dataDir: flags['data-dir'] ?? path.join(process.cwd(), '.data', 'temporal-server'),
    logFile: flags['log-file'],
    logLevel: (flags['log-level'] ?? 'warn') as 'debug' | 'info' | 'warn' | 'error',
  };
}

/**
 * `npx tsx tools/temporal/temporal-server/cli.ts [--port 7233] [--ui-port <port + 1000> | --headless]
 * [--db-host H] [--db-port P] [--db-user U] [--db-prefix hookline] [--data-dir .data/temporal-server]
 * [--log-level info]` (or `npm run temporal -- --engine postgres` with the same flags): the real
 * Temporal server on PostgreSQL, in the foreground until Ctrl-C, with its Web UI where the dev
 * server has it. Output goes to <data-dir>/temporal.log.
 */
export async function runTemporalServer(args: string[] = process.argv.slice(2)): Promise<void> {
  const options = temporalServerOptions(args, loadConfigOrExit(process.env, { serving: false }));
  const started = Date.now();
  const server = await startTemporalServer(options);
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
