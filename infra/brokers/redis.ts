import Redis from 'ioredis';
import { createClientPool, type ClientPool, type PoolKey } from './pool';
import { messageOf, networkCode, withDeadline, type PublishOutcome } from './outcome';

/**
 * Appending to a Redis stream with XADD: the entry id in the reply is the broker's receipt.
 * NOMKSTREAM: a stream that does not exist is a failure (a typo would otherwise fill a stream
 * nobody reads); consumers create theirs, usually with `XGROUP CREATE ... MKSTREAM`.
 */
export interface RedisPublish {
  serverUrl: string;
  username?: string;
  password?: string;
  stream: string;
  /** Approximate trimming (`MAXLEN ~`) when set. */
  maxLen?: number | null;
  fields: [string, string][];
  timeoutMs: number;
}

function openClient(key: PoolKey, connectTimeoutMs: number): Promise<Redis> {
  const client = new Redis(key.serverUrl, {
    ...(key.credentials.username ? { username: key.credentials.username } : {}),
    ...(key.credentials.password ? { password: key.credentials.password } : {}),
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // Fail a command at once while disconnected (the delivery retries on its schedule) rather
    // than queue it in this process's memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    connectionName: 'hookline',
  });
  // While connecting, the server's refusal (WRONGPASS, NOAUTH from the ready check) comes only as
  // an 'error' event and connect() rejects with a bare "Connection is closed": report the refusal.
  let refusal: Error | null = null;
  client.on('error', (err: Error) => {
    if (err.name === 'ReplyError') refusal = err;
  });
  return client.connect().then(
    () => client,
    (err: unknown) => {
      client.disconnect();
      throw refusal ?? err;
    },
  );
}

function classify(err: unknown, started: number): PublishOutcome {
  const detail = messageOf(err);
  const durationMs = Date.now() - started;
  const net = networkCode(err);
  if (net) return { verdict: 'retry', code: net, detail, durationMs };
  if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(detail)) return { verdict: 'final', code: detail.startsWith('NOPERM') ? 'not_allowed' : 'auth_failed', detail, durationMs };
  if (/^WRONGTYPE/.test(detail)) return { verdict: 'final', code: 'wrong_type', detail, durationMs };
  if (/Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED/i.test(detail)) return { verdict: 'retry', code: 'refused', detail, durationMs };
  return { verdict: 'retry', code: 'broker_error', detail, durationMs };
}

export interface RedisPublisher {
  publish(msg: RedisPublish): Promise<PublishOutcome>;
  pool: ClientPool<Redis>;
}

export function createRedisPublisher(opts: { idleMs?: number; connectTimeoutMs?: number } = {}): RedisPublisher {
  const pool = createClientPool<Redis>({
    open: (key) => openClient(key, opts.connectTimeoutMs ?? 5_000),
    close: async (c) => {
      await c.quit().catch(() => c.disconnect());
    },
    // 'end': ioredis gave up reconnecting; any other state reconnects by itself.
    healthy: (c) => c.status !== 'end',
    idleMs: opts.idleMs,
  });

  return {
    pool,
    async publish(msg) {
      const started = Date.now();
      const key: PoolKey = { serverUrl: msg.serverUrl, credentials: { username: msg.username, password: msg.password } };
      const trim = msg.maxLen ? ['MAXLEN', '~', String(msg.maxLen)] : [];
      try {
        const id = await withDeadline(msg.timeoutMs, 'XADD to Redis', () =>
          pool.use(key, (c) => c.call('XADD', msg.stream, 'NOMKSTREAM', ...trim, '*', ...msg.fields.flat()) as Promise<string | null>),
        );
        const durationMs = Date.now() - started;
        if (id === null) return { verdict: 'final', code: 'no_stream', detail: `stream "${msg.stream}" does not exist`, durationMs };
        return { verdict: 'taken', code: 'appended', detail: `appended as entry ${id}`, durationMs };
      } catch (err) {
        return classify(err, started);
      }
    },
  };
}
