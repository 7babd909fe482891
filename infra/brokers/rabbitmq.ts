import amqp, { type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { createClientPool, type ClientPool, type PoolKey } from './pool';
import { messageOf, networkCode, withDeadline, type PublishOutcome } from './outcome';

/**
 * Publishing to a RabbitMQ exchange with publisher confirms and `mandatory`: a message counts as
 * delivered only when the broker confirmed it, and one that no queue takes comes back as a failure
 * instead of being dropped silently.
 */
export interface AmqpPublish {
  serverUrl: string;
  username?: string;
  password?: string;
  exchange: string;
  routingKey: string;
  /** Unique per delivery: the AMQP message-id, and how a returned message is matched to its publish. */
  messageId: string;
  type: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

interface ChannelState {
  channel: ConfirmChannel;
  closedWith: string | null;
  /** message-ids the broker returned as unroutable, awaiting their confirm. */
  returned: Map<string, string>;
}

interface AmqpClient {
  connection: ChannelModel;
  closed: boolean;
  /** One confirm channel per exchange: a channel error (a missing exchange) closes only that one. */
  channels: Map<string, Promise<ChannelState>>;
}

function connectOptions(key: PoolKey): amqp.Options.Connect {
  const url = new URL(key.serverUrl);
  const secure = url.protocol === 'amqps:';
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, '')) || '/';
  return {
    protocol: secure ? 'amqps' : 'amqp',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 5671 : 5672,
    vhost,
    username: key.credentials.username ?? 'guest',
    password: key.credentials.password ?? 'guest',
    heartbeat: 30,
  };
}

async function openClient(key: PoolKey, connectTimeoutMs: number): Promise<AmqpClient> {
  const connection = await amqp.connect(connectOptions(key), { timeout: connectTimeoutMs, clientProperties: { connection_name: 'hookline' } });
  const client: AmqpClient = { connection, closed: false, channels: new Map() };
  connection.on('error', () => undefined); // 'close' follows; the next send replaces the connection
  connection.on('close', () => {
    client.closed = true;
  });
  return client;
}

async function openChannel(client: AmqpClient, exchange: string): Promise<ChannelState> {
  const channel = await client.connection.createConfirmChannel();
  const state: ChannelState = { channel, closedWith: null, returned: new Map() };
  channel.on('error', (err: Error) => {
    state.closedWith = err.message;
  });
  channel.on('close', () => {
    state.closedWith ??= 'channel closed';
    if (client.channels.get(exchange) && !client.closed) client.channels.delete(exchange);
  });
  channel.on('return', (msg: Message) => {
    const id = msg.properties.messageId as string | undefined;
    // basic.return carries the reply code and text beside the usual fields.
    const fields = msg.fields as typeof msg.fields & { replyCode?: number; replyText?: string };
    if (id) state.returned.set(id, `${fields.replyCode ?? 312} ${fields.replyText ?? 'NO_ROUTE'}`);
  });
  return state;
}

function channelFor(client: AmqpClient, exchange: string): Promise<ChannelState> {
  let ch = client.channels.get(exchange);
  if (!ch) {
    ch = openChannel(client, exchange);
    client.channels.set(exchange, ch);
    ch.catch(() => client.channels.delete(exchange));
  }
  return ch;
}

/** The broker's reply code in an AMQP error, e.g. 403 ACCESS_REFUSED, 404 NOT_FOUND, 530 NOT_ALLOWED. */
function classify(err: unknown, started: number): PublishOutcome {
  const detail = messageOf(err);
  const durationMs = Date.now() - started;
  const net = networkCode(err);
  if (net) return { verdict: 'retry', code: net, detail, durationMs };
  if (/ACCESS.REFUSED|\b403\b/.test(detail)) return { verdict: 'final', code: 'auth_failed', detail, durationMs };
  if (/NOT_FOUND|\b404\b/.test(detail)) return { verdict: 'final', code: 'not_found', detail, durationMs };
  if (/NOT_ALLOWED|\b530\b/.test(detail)) return { verdict: 'final', code: 'not_allowed', detail, durationMs };
  return { verdict: 'retry', code: 'broker_error', detail, durationMs };
}

export interface AmqpPublisher {
  publish(msg: AmqpPublish): Promise<PublishOutcome>;
  pool: ClientPool<AmqpClient>;
}

export function createAmqpPublisher(opts: { idleMs?: number; connectTimeoutMs?: number } = {}): AmqpPublisher {
  const pool = createClientPool<AmqpClient>({
    open: (key) => openClient(key, opts.connectTimeoutMs ?? 5_000),
    close: async (c) => {
      c.closed = true;
      await c.connection.close().catch(() => undefined);
    },
    healthy: (c) => !c.closed,
    idleMs: opts.idleMs,
  });

  async function publishOn(client: AmqpClient, msg: AmqpPublish): Promise<string | null> {
    const state = await channelFor(client, msg.exchange);
    return new Promise<string | null>((resolve, reject) => {
      const onClose = () => reject(new Error(state.closedWith ?? 'channel closed'));
      state.channel.once('close', onClose);
      state.channel.publish(
        msg.exchange,
        msg.routingKey,
        Buffer.from(msg.body),
        { mandatory: true, persistent: true, messageId: msg.messageId, type: msg.type, contentType: 'application/json', headers: msg.headers },
        (err) => {
          state.channel.removeListener('close', onClose);
          // basic.return comes before the confirm of the same message, so it is known here.
          const returned = state.returned.get(msg.messageId) ?? null;
          state.returned.delete(msg.messageId);
          if (err) reject(new Error(state.closedWith ?? 'the broker refused the message (nack)'));
          else resolve(returned);
        },
      );
    });
  }

  return {
    pool,
    async publish(msg) {
      const started = Date.now();
      const key: PoolKey = { serverUrl: msg.serverUrl, credentials: { username: msg.username, password: msg.password } };
      try {
        const returned = await withDeadline(msg.timeoutMs, 'publish to RabbitMQ', () => pool.use(key, (client) => publishOn(client, msg)));
        const durationMs = Date.now() - started;
        if (returned) return { verdict: 'final', code: 'unroutable', detail: `returned by the broker: ${returned} (no queue is bound for routing key "${msg.routingKey}")`, durationMs };
        return { verdict: 'taken', code: 'confirmed', detail: 'confirmed by the broker', durationMs };
      } catch (err) {
        return classify(err, started);
      }
    },
  };
}
