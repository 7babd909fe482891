import type { WebhookFetch } from '../../../../infra/webhook-fetch';
import type { Destination } from '../destination';
import { createHttpDestination } from './http';

/** Every destination, by endpoint type: a new type is a file here and a line below. */
export function createDestinations(deps: { fetch: WebhookFetch }) {
  return {
    http: createHttpDestination(deps.fetch),
  } satisfies Record<string, Destination>;
}

export type DestinationType = keyof ReturnType<typeof createDestinations>;
