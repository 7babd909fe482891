import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait';

/**
 * Broker instances of a test's own, on free ports, that a fault test may stop and start without
 * touching the shared ones on 5672, 4222 and 6379. Each keeps its data across a restart.
 * (RabbitMQ's is in private-rabbit.ts.)
 */
export interface PrivateBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
    s.connect(port, '127.0.0.1');
  });
}

function processBroker(port: number, url: string, dir: string, launch: () => ChildProcess): PrivateBroker {
  let child: ChildProcess | null = null;
  const broker: PrivateBroker = {
    port,
    url,
    async start() {
      child = launch();
      await waitFor(() => listening(port), { timeoutMs: 20_000, what: `${url} to listen` });
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
      await waitFor(async () => !(await listening(port)), { timeoutMs: 10_000, what: `${url} to stop` });
    },
    async destroy() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return broker;
}

/** redis-server with an append-only file fsynced on every write, so a restart keeps every entry it acknowledged. */
export async function startPrivateRedis(opts: { password?: string } = {}): Promise<PrivateBroker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-redis-'));
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  if (opts.password) args.push('--requirepass', opts.password);
  const broker = processBroker(port, `redis://127.0.0.1:${port}/0`, dir, () => spawn('redis-server', args, { stdio: 'ignore' }));
  await broker.start();
  return broker;
}

/** nats-server with JetStream and its store in a directory of its own. */
export async function startPrivateNats(opts: { token?: string } = {}): Promise<PrivateBroker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
  if (opts.token) args.push('--auth', opts.token);
  const broker = processBroker(port, `nats://127.0.0.1:${port}`, dir, () => spawn('nats-server', args, { stdio: 'ignore' }));
  await broker.start();
  await waitFor(() => listening(port), { timeoutMs: 10_000 });
  return broker;
}
