import { connect, ErrorCode, headers as natsHeaders, type NatsConnection } from 'nats';
import { createClientPool, type ClientPool, type PoolKey } from './pool';
import { messageOf, networkCode, withDeadline, type PublishOutcome } from './outcome';

/**
 * Publishing to NATS JetStream: a message counts as delivered only when a stream acknowledged it
 * (a PubAck). The delivery id is the JetStream `Nats-Msg-Id`, so a retry whose first ack was lost
 * is dropped as a duplicate within the stream's duplicate window.
 */
export interface NatsPublish {
  serverUrl: string;
  token?: string;
  username?: string;
  password?: string;
  subject: string;
  messageId: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

async function openClient(key: PoolKey, connectTimeoutMs: number): Promise<NatsConnection> {
  const { token, username, password } = key.credentials;
  return connect({
    servers: key.serverUrl,
    ...(token ? { token } : {}),
    ...(username !== undefined ? { user: username, pass: password ?? '' } : {}),
    timeout: connectTimeoutMs,
    name: 'hookline',
    // Only the server the endpoint names: a server's list of cluster peers (its INFO's connect_urls)
    // could point the client at addresses the send-time check never saw.
    ignoreClusterUpdates: true,
    // The client rides out a broker restart by itself; sends meanwhile time out and are retried.
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
}

function classify(err: unknown, started: number): PublishOutcome {
  const detail = messageOf(err);
  const durationMs = Date.now() - started;
  const net = networkCode(err);
  if (net) return { verdict: 'retry', code: net, detail, durationMs };
  const code = (err as { code?: string })?.code;
  if (code === ErrorCode.Timeout || code === ErrorCode.ConnectionTimeout || code === ErrorCode.JetStream408RequestTimeout) return { verdict: 'retry', code: 'timeout', detail, durationMs };
  if (code === ErrorCode.AuthorizationViolation || code === ErrorCode.AuthenticationExpired) return { verdict: 'final', code: 'auth_failed', detail, durationMs };
  if (code === ErrorCode.PermissionsViolation) return { verdict: 'final', code: 'not_allowed', detail, durationMs };
  if (/ECONNREFUSED|connection refused/i.test(detail)) return { verdict: 'retry', code: 'refused', detail, durationMs };
  return { verdict: 'retry', code: 'broker_error', detail, durationMs };
}

export interface NatsPublisher {
  publish(msg: NatsPublish): Promise<PublishOutcome>;
  pool: ClientPool<NatsConnection>;
}

export function createNatsPublisher(opts: { idleMs?: number; connectTimeoutMs?: number } = {}): NatsPublisher {
  const pool = createClientPool<NatsConnection>({
    open: (key) => openClient(key, opts.connectTimeoutMs ?? 5_000),
    close: (nc) => nc.close(),
    healthy: (nc) => !nc.isClosed(),
    idleMs: opts.idleMs,
  });

  /** No stream answered: either none captures the subject (final) or JetStream is not up yet (retry). */
  async function whyNoResponders(nc: NatsConnection, subject: string, started: number, cause: unknown): Promise<PublishOutcome> {
    try {
      const jsm = await nc.jetstreamManager({ timeout: 2_000, checkAPI: false });
      await jsm.streams.find(subject);
      return { verdict: 'retry', code: 'no_responders', detail: messageOf(cause), durationMs: Date.now() - started };
    } catch (err) {
      const detail = messageOf(err);
      if (/no stream matches subject/i.test(detail)) {
        return { verdict: 'final', code: 'no_stream', detail: `no JetStream stream captures subject "${subject}"`, durationMs: Date.now() - started };
      }
      return { verdict: 'retry', code: 'no_responders', detail: `${messageOf(cause)} (${detail})`, durationMs: Date.now() - started };
    }
  }

  return {
    pool,
    async publish(msg) {
      const started = Date.now();
      const key: PoolKey = { serverUrl: msg.serverUrl, credentials: { token: msg.token, username: msg.username, password: msg.password } };
      try {
        return await withDeadline(msg.timeoutMs, 'publish to NATS', () =>
          pool.use(key, async (nc) => {
            const h = natsHeaders();
            for (const [name, value] of Object.entries(msg.headers)) h.set(name, value);
            try {
              const ack = await nc.jetstream().publish(msg.subject, msg.body, { msgID: msg.messageId, headers: h, timeout: msg.timeoutMs });
              const detail = `stored in stream ${ack.stream} at sequence ${ack.seq}${ack.duplicate ? ' (a duplicate of an earlier publish)' : ''}`;
              return { verdict: 'taken' as const, code: ack.duplicate ? 'duplicate' : 'acked', detail, durationMs: Date.now() - started };
            } catch (err) {
              if ((err as { code?: string })?.code === ErrorCode.NoResponders) return whyNoResponders(nc, msg.subject, started, err);
              throw err;
            }
          }),
        );
      } catch (err) {
        return classify(err, started);
      }
    },
  };
}
