import { routingKeyFor, type RabbitConfig } from '../../../../domain/destinations';
import { createAmqpPublisher } from '../../../../infra/brokers/rabbitmq';
import type { Destination } from '../destination';
import { brokerDestination, type BrokerConfig } from './broker';

/** A RabbitMQ endpoint: a persistent, mandatory publish to its exchange, done when the broker confirms it. */
export function createRabbitDestination(config: BrokerConfig): Destination {
  const publisher = createAmqpPublisher();
  return brokerDestination<RabbitConfig>(config, 'rabbitmq', ({ c, credentials, message, headers, timeoutMs }) =>
    publisher.publish({
      serverUrl: c.serverUrl,
      username: credentials.username,
      password: credentials.password,
      exchange: c.exchange,
      routingKey: routingKeyFor(c, message.eventType),
      messageId: message.deliveryId,
      type: message.eventType,
      body: message.body,
      headers,
      timeoutMs,
    }),
  );
}
