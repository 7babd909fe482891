import type { RedisConfig } from '../../../../domain/destinations';
import { createRedisPublisher } from '../../../../infra/brokers/redis';
import type { Destination } from '../destination';
import { brokerHeaders, credentialsOf, refusal, toSendResult, type BrokerConfig } from './broker';

/**
 * A Redis endpoint: XADD to its stream, done on the reply. The entry's fields: `body`, then every
 * header by name (webhook-id, webhook-timestamp, webhook-signature, webhook-event-type, ...).
 */
export function createRedisDestination(config: BrokerConfig): Destination {
  const publisher = createRedisPublisher();
  return {
    async send(target, message, opts) {
      const startedAt = new Date();
      const c = target.config as RedisConfig;
      const refused = await refusal(config, 'redis', c.serverUrl, startedAt);
      if (refused) return refused;
      const { username, password } = credentialsOf(config, target, message.endpointId);
      const outcome = await publisher.publish({
        serverUrl: c.serverUrl,
        username,
        password,
        stream: c.stream,
        maxLen: c.maxLen,
        fields: [['body', message.body], ...Object.entries(brokerHeaders(target, message))],
        timeoutMs: opts.timeoutMs,
      });
      return toSendResult(startedAt, outcome);
    },
  };
}
