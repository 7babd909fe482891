import { natsSubjectFor, type NatsConfig } from '../../../../domain/destinations';
import { createNatsPublisher } from '../../../../infra/brokers/nats';
import type { Destination } from '../destination';
import { brokerHeaders, credentialsOf, refusal, toSendResult, type BrokerConfig } from './broker';

/**
 * A NATS endpoint: a JetStream publish to its subject ({type}: the event type), done on the stream's
 * ack. The delivery id is the Nats-Msg-Id, so the stream drops a retry whose first ack was lost.
 */
export function createNatsDestination(config: BrokerConfig): Destination {
  const publisher = createNatsPublisher();
  return {
    async send(target, message, opts) {
      const startedAt = new Date();
      const c = target.config as NatsConfig;
      const refused = await refusal(config, 'nats', c.serverUrl, startedAt);
      if (refused) return refused;
      const outcome = await publisher.publish({
        serverUrl: c.serverUrl,
        ...credentialsOf(config, target, message.endpointId),
        subject: natsSubjectFor(c.subject, message.eventType),
        messageId: message.deliveryId,
        body: message.body,
        headers: brokerHeaders(target, message),
        timeoutMs: opts.timeoutMs,
      });
      return toSendResult(startedAt, outcome);
    },
  };
}
