import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait';

/**
 * Broker instances of a test's own, on free ports, that a fault test may stop and start without
 * touching the shared ones on 5672, 4222 and 6379. Each keeps its data across a restart.
 */
export interface PrivateBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
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

/**
 * A second RabbitMQ node (its own name, ports and database; no plugins). Heavy: seconds to start
 * and a few hundred MB while it runs.
 */
export async function startPrivateRabbit(): Promise<PrivateBroker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-rabbit-'));
  const node = `hookline-${port}@localhost`;
  writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  const env = {
    ...process.env,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_NODENAME: node,
    RABBITMQ_DIST_PORT: String(await freePort()),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_FEATURE_FLAGS_FILE: path.join(dir, 'feature_flags'),
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) => execFileSync('rabbitmqctl', ['-n', node, ...args], { env, stdio: 'ignore', timeout: 60_000 });
  let started = false;
  const broker: PrivateBroker = {
    port,
    url: `amqp://127.0.0.1:${port}/`,
    async start() {
      if (!started) {
        spawn('rabbitmq-server', [], { env, stdio: 'ignore', detached: true }).unref();
        started = true;
      } else ctl('start_app');
      await waitFor(() => listening(port), { timeoutMs: 90_000, intervalMs: 250, what: 'the private RabbitMQ node to listen' });
    },
    async stop() {
      ctl('stop_app');
      await waitFor(async () => !(await listening(port)), { timeoutMs: 30_000, what: 'the private RabbitMQ node to stop' });
    },
    async destroy() {
      try {
        ctl('shutdown');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
