import { routingKeyFor, type RabbitConfig } from '../../../../domain/destinations';
import { createAmqpPublisher } from '../../../../infra/brokers/rabbitmq';
import type { Destination } from '../destination';
import { brokerHeaders, credentialsOf, refusal, toSendResult, type BrokerConfig } from './broker';

/** A RabbitMQ endpoint: a persistent, mandatory publish to its exchange, done when the broker confirms it. */
export function createRabbitDestination(config: BrokerConfig): Destination {
  const publisher = createAmqpPublisher();
  return {
    async send(target, message, opts) {
      const startedAt = new Date();
      const c = target.config as RabbitConfig;
      const refused = await refusal(config, 'rabbitmq', c.serverUrl, startedAt);
      if (refused) return refused;
      const { username, password } = credentialsOf(config, target, message.endpointId);
      const outcome = await publisher.publish({
        serverUrl: c.serverUrl,
        username,
        password,
        exchange: c.exchange,
        routingKey: routingKeyFor(c, message.eventType),
        messageId: message.deliveryId,
        type: message.eventType,
        body: message.body,
        headers: brokerHeaders(target, message),
        timeoutMs: opts.timeoutMs,
      });
      return toSendResult(startedAt, outcome);
    },
  };
}
