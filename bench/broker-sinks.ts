import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import amqp from 'amqplib';
import Redis from 'ioredis';
import { connect } from 'nats';
import { ArrivalLog, eventIdOf } from './receiver';

/**
 * The broker side of the bench's `brokers` phase: for each broker type, the destination a Hookline
 * endpoint publishes to (an exchange and its queue, a JetStream stream, a Redis stream) and a
 * consumer that notes when each event arrived, as the HTTP receiver does for HTTP. The brokers are
 * the machine's own (BENCH_AMQP_URL, BENCH_NATS_URL, BENCH_REDIS_URL; the usual local ports by
 * default). The broker server's CPU is read beside, not in the run's total, as the HTTP receiver's is not.
 */
export const BROKER_TYPES = ['rabbitmq', 'nats', 'redis'] as const;
export type BenchBrokerType = (typeof BROKER_TYPES)[number];

const URLS: Record<BenchBrokerType, string> = {
  rabbitmq: process.env.BENCH_AMQP_URL ?? 'amqp://127.0.0.1:5672/',
  nats: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
};
const CREDENTIALS: Partial<Record<BenchBrokerType, Record<string, string>>> = { rabbitmq: { username: 'guest', password: 'guest' } };

export interface BrokerSink {
  arrivals: ArrivalLog;
  /** The create-endpoint body of a Hookline endpoint that publishes here. */
  endpoint: Record<string, unknown>;
  /** The broker server's process (the one listening on its port), when this machine runs it. */
  serverPid: number | undefined;
  close(): Promise<void>;
}

/** The process listening on a local TCP port, from /proc/net/tcp{,6} and the processes' sockets. */
export function listenerPid(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? ''))) return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

const portOf = (url: string, fallback: number) => Number(new URL(url).port) || fallback;
const DEFAULT_PORTS: Record<BenchBrokerType, number> = { rabbitmq: 5672, nats: 4222, redis: 6379 };

async function rabbitSink(name: string, arrivals: ArrivalLog): Promise<Omit<BrokerSink, 'serverPid'>> {
  const conn = await amqp.connect(URLS.rabbitmq);
  const ch = await conn.createChannel();
  await ch.assertExchange(name, 'topic', { durable: true });
  await ch.assertQueue(name, { durable: true });
  await ch.bindQueue(name, name, '#');
  await ch.consume(name, (m) => m && arrivals.note(`rabbitmq ${eventIdOf(m.content.toString())}`), { noAck: true });
  return {
    arrivals,
    endpoint: { type: 'rabbitmq', config: { serverUrl: URLS.rabbitmq, exchange: name }, credentials: CREDENTIALS.rabbitmq },
    async close() {
      await ch.deleteQueue(name);
      await ch.deleteExchange(name);
      await conn.close();
    },
  };
}

async function natsSink(name: string, arrivals: ArrivalLog): Promise<Omit<BrokerSink, 'serverPid'>> {
  const nc = await connect({ servers: URLS.nats });
  const jsm = await nc.jetstreamManager();
  const subject = `bench.${name}`;
  await jsm.streams.add({ name: name.toUpperCase(), subjects: [subject] });
  // A core subscription sees each message as the stream takes it.
  const sub = nc.subscribe(subject, { callback: (_err, m) => arrivals.note(`nats ${eventIdOf(m.string())}`) });
  return {
    arrivals,
    endpoint: { type: 'nats', config: { serverUrl: URLS.nats, subject } },
    async close() {
      sub.unsubscribe();
      await jsm.streams.delete(name.toUpperCase());
      await nc.close();
    },
  };
}

async function redisSink(name: string, arrivals: ArrivalLog): Promise<Omit<BrokerSink, 'serverPid'>> {
  const admin = new Redis(URLS.redis);
  await admin.xgroup('CREATE', name, 'consumers', '$', 'MKSTREAM');
  const reader = new Redis(URLS.redis);
  let open = true;
  const read = async (from: string): Promise<void> => {
    let last = from;
    while (open) {
      const got = (await reader.xread('COUNT', 500, 'BLOCK', 500, 'STREAMS', name, last).catch(() => null)) as [string, [string, string[]][]][] | null;
      for (const [id, fields] of got?.[0]?.[1] ?? []) {
        last = id;
        arrivals.note(`redis ${eventIdOf(fields[fields.indexOf('body') + 1] ?? '')}`);
      }
    }
  };
  const reading = read('0'); // the stream is new and empty: everything in it is ours
  return {
    arrivals,
    endpoint: { type: 'redis', config: { serverUrl: URLS.redis, stream: name } },
    async close() {
      open = false;
      await reading;
      reader.disconnect();
      await admin.del(name);
      admin.disconnect();
    },
  };
}

const SINKS = { rabbitmq: rabbitSink, nats: natsSink, redis: redisSink };

export async function startBrokerSink(type: BenchBrokerType): Promise<BrokerSink> {
  const name = `hlbench_${randomBytes(4).toString('hex')}`;
  const sink = await SINKS[type](name, new ArrivalLog());
  return { ...sink, serverPid: listenerPid(portOf(URLS[type], DEFAULT_PORTS[type])) };
}
