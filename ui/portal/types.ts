/** What the portal reads from the API. Fields other helpers' routes add (headers, flow control, v1a) arrive as extras. */
export interface Endpoint {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  kind: string;
  status: string;
  attemptCount: number;
  lastAttemptAt: string | null;
  nextRetryAt: string | null;
  createdAt: string;
}

export interface Attempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  nextRetryAt: string | null;
}

export interface EventType {
  type: string;
  description: string;
  schema?: unknown;
  example?: unknown;
  archived?: boolean;
  [extra: string]: unknown;
}

export const KNOWN_ENDPOINT_FIELDS = new Set([
  'id', 'url', 'description', 'events', 'enabled', 'consecutiveFailures', 'disabledAt', 'disabledReason', 'createdAt', 'updatedAt',
  'headers', 'signatureScheme', 'publicKey', 'maxInFlight', 'rateLimit', 'ordering',
]);
