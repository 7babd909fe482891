import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { listening, type PrivateBroker } from './private-brokers';
import { waitFor } from './wait';

const run = promisify(execFile);

/**
 * The package's own scripts, not the /usr/sbin wrappers: as root those re-run themselves as the
 * `rabbitmq` user (`su rabbitmq`), which can neither write a test's private directory (the
 * node then dies with failed_to_create_feature_flags_file_directory) nor use its cookie.
 * Elsewhere (Homebrew, a generic unix tarball) the scripts on PATH are the real ones.
 */
function script(name: 'rabbitmq-server' | 'rabbitmqctl'): string {
  const debian = path.join('/usr/lib/rabbitmq/bin', name);
  return existsSync(debian) ? debian : name;
}

/**
 * Everything the node reads, in its own directory. A clean environment (no inherited RABBITMQ_*
 * or ERL_*), its own empty rabbitmq-env.conf and rabbitmq.conf (the system ones name the shared
 * node and its 5672 listener), and its own Erlang cookie under its own HOME: rabbitmqctl run with
 * this environment can only ever authenticate to this node, never to the shared rabbit@… one.
 */
function nodeEnvironment(dir: string, node: string, port: number, distPort: number): NodeJS.ProcessEnv {
  writeFileSync(path.join(dir, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(path.join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users.guest = true\n`);
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: dir,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_FEATURE_FLAGS_FILE: path.join(dir, 'feature_flags'),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no output)';
  }
}

/**
 * A second RabbitMQ node of the test's own (name `hookline-<port>@localhost`, its own ports,
 * database and cookie; no plugins) that the test may stop and start without touching the shared
 * one on 5672. `stop`/`start` stop and start the broker application (listener, connections,
 * queues) while the Erlang node stays up, so durable queues and persistent messages survive as on
 * a broker restart. Heavy: 10–20 s to start and a few hundred MB while it runs; `destroy` in a
 * `finally`. A process exit also kills it, should a test die before its `finally`.
 */
export async function startPrivateRabbit(): Promise<PrivateBroker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-rabbit-'));
  const node = `hookline-${port}@localhost`;
  const env = nodeEnvironment(dir, node, port, await freePort());
  const output = path.join(dir, 'server.out');
  const ctl = (...args: string[]) => run(script('rabbitmqctl'), ['-n', node, ...args], { env, cwd: dir, timeout: 60_000 });
  let child: ChildProcess | null = null;
  const killNode = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // its own process group: beam and its helpers
      } catch {
        // already gone
      }
    }
  };

  async function boot(): Promise<void> {
    const fd = openSync(output, 'a');
    const c = spawn(script('rabbitmq-server'), [], { env, cwd: dir, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    child = c;
    const died = new Promise<never>((_, reject) => c.once('exit', (code, signal) => reject(new Error(`the private RabbitMQ node exited (${code ?? signal}) before listening:\n${tail(output)}`))));
    died.catch(() => undefined);
    await Promise.race([died, waitFor(() => listening(port), { timeoutMs: 90_000, intervalMs: 250, what: `the private RabbitMQ node to listen on ${port}` })]);
  }

  const onExit = () => {
    killNode();
    rmSync(dir, { recursive: true, force: true });
  };

  const broker: PrivateBroker = {
    port,
    url: `amqp://127.0.0.1:${port}/`,
    async start() {
      await ctl('start_app');
      await waitFor(() => listening(port), { timeoutMs: 60_000, intervalMs: 250, what: 'the private RabbitMQ node to listen again' });
    },
    async stop() {
      await ctl('stop_app');
      await waitFor(async () => !(await listening(port)), { timeoutMs: 30_000, what: 'the private RabbitMQ node to stop' });
    },
    async destroy() {
      process.removeListener('exit', onExit);
      try {
        await ctl('shutdown');
      } catch {
        // not answering: killed below
      }
      killNode();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  process.once('exit', onExit);
  try {
    await boot();
  } catch (err) {
    await broker.destroy();
    throw err;
  }
  return broker;
}
