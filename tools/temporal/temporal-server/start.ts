import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Duration } from '@temporalio/common/lib/time';
import values from '../../../deploy/temporal/values.json';
import { ensureTemporalServer, ensureTemporalUiServer } from './build';
import { CONFIG_ENV, writeServerConfig, writeUiConfig } from './config';
import { LOCAL_POSTGRES, prepareTemporalDatabases, temporalDatabases, type TemporalDatabases } from './databases';
import { assertPortsFree, serverPorts } from './ports';
import { connectWhenUp, setUpNamespace, waitForHistory, type SearchAttributeTypeName } from './setup';

export { dropTemporalDatabases } from './databases';

export interface TemporalServerOptions {
  /** Frontend gRPC port; the server also binds the next 8 ports (see ports.ts). */
  port: number;
  /** Serves the Web UI (temporal-ui-server, built on first use) on this port. */
  uiPort?: number;
  ip?: string;
  databaseHost?: string;
  databasePort?: number;
  databaseUser?: string;
  databasePassword?: string;
  /** Databases `<dbPrefix>_temporal` and `<dbPrefix>_temporal_visibility`: created if missing, kept on stop. */
  dbPrefix: string;
  /** Rendered configs go here. */
  dataDir: string;
  /** Server (and UI) output; `<dataDir>/temporal.log` by default. */
  logFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Per service and store: the server holds up to 4 x (maxConns + visibilityMaxConns) connections. */
  maxConns?: number;
  visibilityMaxConns?: number;
  /** Only read when the databases are new: it cannot change for existing ones. */
  numHistoryShards?: number;
  namespace?: string;
  retention?: Duration;
  /** Dynamic config keys on top of deploy/temporal/dynamic-config.yaml. */
  dynamicConfig?: Record<string, unknown>;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  databases: TemporalDatabases;
  process: ChildProcess;
  uiProcess?: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests: the data stays in Postgres and a new start picks it up. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess): Promise<void> {
  return exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function terminate(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || exited(child)) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill('SIGTERM');
  await waitExit(child);
  clearTimeout(timer);
}

async function killNow(child: ChildProcess | undefined): Promise<void> {
  if (!child || exited(child)) return;
  child.kill('SIGKILL');
  await waitExit(child);
}

/** Spawns with output appended to `logFile`; a parent that exits without stopping it still sends SIGTERM. */
function spawnLogged(binary: string, args: string[], logFile: string): { child: ChildProcess; failure: () => string | undefined } {
  const fd = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let failure: string | undefined;
  const onParentExit = () => child.kill('SIGTERM');
  process.once('exit', onParentExit);
  child.once('error', (err) => (failure = `failed to start: ${err.message}`));
  child.once('exit', (code, signal) => {
    failure = `exited with ${signal ?? code}`;
    process.removeListener('exit', onParentExit);
  });
  return { child, failure: () => failure };
}

function logTail(logFile: string, lines = 25): string {
  if (!existsSync(logFile)) return '';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitForUi(url: string, deadline: number, failure: () => string | undefined): Promise<void> {
  for (;;) {
    const reason = failure();
    if (reason) throw new Error(`temporal-ui-server ${reason}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the Web UI at ${url} did not answer in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts a real Temporal server (v1.29.1, the one docker-compose runs) on the local PostgreSQL:
 * builds it if needed, creates and migrates its databases, renders its config into `dataDir`,
 * and resolves once namespace, search attributes and history are ready for a client.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const ip = opts.ip ?? '127.0.0.1';
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const deadline = started + (opts.timeoutMs ?? 120_000);
  const namespace = opts.namespace ?? values.namespace;
  const database = {
    host: opts.databaseHost ?? LOCAL_POSTGRES.host,
    port: opts.databasePort ?? LOCAL_POSTGRES.port,
    user: opts.databaseUser ?? LOCAL_POSTGRES.user,
    password: opts.databasePassword,
  };
  const dataDir = path.resolve(opts.dataDir);
  const logFile = path.resolve(opts.logFile ?? path.join(dataDir, 'temporal.log'));
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(path.dirname(logFile), { recursive: true });

  const binaries = await ensureTemporalServer();
  const uiBinary = opts.uiPort ? await ensureTemporalUiServer() : undefined;
  const ports = serverPorts(opts.port);
  await assertPortsFree([...Object.values(ports), ...(opts.uiPort ? [opts.uiPort] : [])], ip);

  const databases = temporalDatabases(opts.dbPrefix);
  await prepareTemporalDatabases(binaries.sqlTool, database, databases);
  log(`hookline: databases ${databases.main}, ${databases.visibility} ready (${elapsed()})`);
  writeServerConfig({
    dataDir,
    ip,
    ports,
    database,
    databases,
    maxConns: opts.maxConns ?? 4,
    visibilityMaxConns: opts.visibilityMaxConns ?? 1,
    numHistoryShards: opts.numHistoryShards ?? 4,
    logLevel: opts.logLevel ?? 'warn',
    dynamicConfig: opts.dynamicConfig,
  });

  const address = `${ip}:${ports.frontend}`;
  log(`hookline: starting Temporal server ${address} (log ${logFile})`);
  const server = spawnLogged(binaries.server, ['--root', dataDir, '--config', 'config', '--env', CONFIG_ENV, '--allow-no-auth', 'start'], logFile);
  let ui: ReturnType<typeof spawnLogged> | undefined;
  const stop = async () => {
    await terminate(ui?.child, 5_000);
    await terminate(server.child, 20_000);
  };
  try {
    const connection = await connectWhenUp(address, deadline, server.failure);
    log(`hookline: frontend answering (${elapsed()})`);
    try {
      const searchAttributes = values.searchAttributes as Record<string, SearchAttributeTypeName>;
      const retention = (opts.retention ?? values.retention) as Duration;
      await setUpNamespace(connection, { namespace, retention, searchAttributes }, deadline, server.failure);
      await waitForHistory(connection, namespace, deadline, server.failure);
      log(`hookline: namespace ${namespace} and history ready (${elapsed()})`);
    } finally {
      await connection.close();
    }
    let uiUrl: string | undefined;
    if (uiBinary && opts.uiPort) {
      writeUiConfig(dataDir, ip, opts.uiPort, address, namespace);
      ui = spawnLogged(uiBinary, ['--root', dataDir, '--config', 'ui-config', '--env', CONFIG_ENV, 'start'], logFile);
      uiUrl = `http://${ip}:${opts.uiPort}`;
      await waitForUi(uiUrl, deadline, ui.failure);
    }
    return {
      address,
      namespace,
      uiUrl,
      databases,
      process: server.child,
      uiProcess: ui?.child,
      stop,
      kill: async () => {
        await killNow(ui?.child);
        await killNow(server.child);
      },
    };
  } catch (err) {
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Temporal server on ${address} did not start: ${message}\n--- ${logFile} (tail) ---\n${logTail(logFile)}`);
  }
}
