import type { RedisConfig } from '../../../../domain/destinations';
import { createRedisPublisher } from '../../../../infra/brokers/redis';
import type { Destination } from '../destination';
import { brokerDestination, type BrokerConfig } from './broker';

/**
 * A Redis endpoint: XADD to its stream, done on the reply. The entry's fields: `body`, then every
 * header by name (webhook-id, webhook-timestamp, webhook-signature, webhook-event-type, ...).
 */
export function createRedisDestination(config: BrokerConfig): Destination {
  const publisher = createRedisPublisher();
  return brokerDestination<RedisConfig>(config, 'redis', ({ c, credentials, message, headers, timeoutMs }) =>
    publisher.publish({
      serverUrl: c.serverUrl,
      username: credentials.username,
      password: credentials.password,
      stream: c.stream,
      maxLen: c.maxLen,
      fields: [['body', message.body], ...Object.entries(headers)],
      timeoutMs,
    }),
  );
}
