import type { EndpointType } from '../../../../domain/destinations';
import type { WebhookFetch } from '../../../../infra/webhook-fetch';
import type { Destination } from '../destination';
import { createHttpDestination } from './http';
import type { BrokerConfig } from './broker';
import { createNatsDestination } from './nats';
import { createRabbitDestination } from './rabbitmq';
import { createRedisDestination } from './redis';

/**
 * Every destination, by endpoint type: a new type is a file here and a line below. Each broker
 * destination holds this worker's pool of connections to its servers.
 */
export function createDestinations(deps: { fetch: WebhookFetch; config: BrokerConfig & { version: string } }) {
  return {
    http: createHttpDestination(deps.fetch, deps.config),
    rabbitmq: createRabbitDestination(deps.config),
    nats: createNatsDestination(deps.config),
    redis: createRedisDestination(deps.config),
  } satisfies Record<EndpointType, Destination>;
}

export type DestinationType = keyof ReturnType<typeof createDestinations>;
