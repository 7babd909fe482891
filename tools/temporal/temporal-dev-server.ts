import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../temporal/workflows/search-attributes';

export interface DevServerOptions {
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port; omit for headless. */
  uiPort?: number;
  /** SQLite file for a server that keeps its data across restarts; in-memory when absent. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  stdio?: 'inherit' | 'ignore';
  /** `--dynamic-config-value KEY=JSON` pairs (tests use them to make continue-as-new come early). */
  dynamicConfig?: Record<string, unknown>;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * deploy/temporal/dynamic-config.yaml: the one set of server settings that the dev server, the
 * Postgres-backed server (tools/temporal/temporal-server) and docker-compose's Temporal all run with.
 */
export const DYNAMIC_CONFIG_FILE = path.resolve(__dirname, '..', '..', 'deploy', 'temporal', 'dynamic-config.yaml');
export const DEFAULT_DYNAMIC_CONFIG: Record<string, unknown> = Object.fromEntries(
  Object.entries(parse(readFileSync(DYNAMIC_CONFIG_FILE, 'utf8')) as Record<string, { value: unknown }[]>).map(([key, [first]]) => [key, first!.value]),
);

export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip ?? '127.0.0.1', '--port', String(opts.port)];
  args.push('--namespace', opts.namespace ?? 'default', '--log-level', opts.logLevel ?? 'warn');
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal');
  }
  const dynamicConfig = { ...DEFAULT_DYNAMIC_CONFIG, ...opts.dynamicConfig };
  for (const [key, value] of Object.entries(dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startDevServer(opts: DevServerOptions, timeoutMs = 90_000): Promise<DevServer> {
  const child = spawn(opts.binary, devServerArgs(opts), { stdio: ['ignore', opts.stdio ?? 'ignore', opts.stdio ?? 'inherit'] });
  const address = `${opts.ip ?? '127.0.0.1'}:${opts.port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  const stop = () => stopChild(child);
  try {
    await waitForTemporal(address, opts.namespace ?? 'default', timeoutMs, () => exited);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, uiUrl: opts.uiPort ? `http://${opts.ip ?? '127.0.0.1'}:${opts.uiPort}` : undefined, process: child, stop };
}

export async function waitForTemporal(
  address: string,
  namespace: string,
  timeoutMs: number,
  failed: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const reason = failed();
    if (reason) throw new Error(`Temporal dev server ${reason}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
