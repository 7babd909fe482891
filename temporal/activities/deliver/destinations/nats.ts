import { natsSubjectFor, type NatsConfig } from '../../../../domain/destinations';
import { createNatsPublisher } from '../../../../infra/brokers/nats';
import type { Destination } from '../destination';
import { brokerDestination, type BrokerConfig } from './broker';

/**
 * A NATS endpoint: a JetStream publish to its subject ({type}: the event type), done on the stream's
 * ack. The delivery id is the Nats-Msg-Id, so the stream drops a retry whose first ack was lost.
 */
export function createNatsDestination(config: BrokerConfig): Destination {
  const publisher = createNatsPublisher();
  return brokerDestination<NatsConfig>(config, 'nats', ({ c, credentials, message, headers, timeoutMs }) =>
    publisher.publish({
      serverUrl: c.serverUrl,
      ...credentials,
      subject: natsSubjectFor(c.subject, message.eventType),
      messageId: message.deliveryId,
      body: message.body,
      headers,
      timeoutMs,
    }),
  );
}
