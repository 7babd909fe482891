import type { Endpoint as ApiEndpoint } from '../../api/types';

export type { Attempt, Delivery, EventType } from '../../api/types';

/** An endpoint as the API answers it; fields a newer API adds arrive as extras the portal shows as they are. */
export type Endpoint = ApiEndpoint & { [extra: string]: unknown };

export const KNOWN_ENDPOINT_FIELDS = new Set([
  'id', 'url', 'description', 'events', 'enabled', 'consecutiveFailures', 'disabledAt', 'disabledReason', 'createdAt', 'updatedAt',
  'headers', 'signatureScheme', 'publicKey', 'maxInFlight', 'rateLimit', 'ordering', 'circuit', 'type', 'config', 'credentialsSet',
  'auth', 'tls',
]);
// Shown by endpoint-filter-fields.ts.
KNOWN_ENDPOINT_FIELDS.add('filter').add('channels');
