import { z } from '@hono/zod-openapi';
import { CIRCUIT_STATES } from '../domain/circuit';
import { DELIVERY_KINDS, DELIVERY_STATUSES, DISABLED_REASONS } from '../domain/enums';
import { SIGNATURE_SCHEMES } from '../domain/endpoint-keys';
import { ENDPOINT_TYPES } from '../domain/destinations';
import { ERROR_CODES } from '../domain/errors';
import { textProblem } from '../domain/json-depth';
import type { EndpointRow } from '../db/queries/endpoints';
import { authViewFields, toAuthView } from './routes/endpoint-auth-schemas';
import type { AttemptRow, DeliveryRow } from '../db/queries/deliveries';
import { routingView, toRoutingView } from './routes/routing-schemas';

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Free text that Postgres can store: no NUL, no lone surrogate (a 400 naming the field, not a 500). */
export const storableText = (max: number) =>
  z.string().max(max).superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An id in a path: what Hookline makes (`ep_...`, `dlv_...`, `key_...`), so a NUL or a stray byte is a 400, never a query. */
export const madeId = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_.:-]+$/, 'not an id Hookline made');

export const IdParam = z.object({ id: madeId(200).openapi({ param: { name: 'id', in: 'path' } }) });

/** A JSON request or answer body of this schema, as zod-openapi's route definitions take it. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

export const ErrorSchema = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), requestId: z.string().optional() }) })
  .openapi('Error');

export const CircuitSchema = z
  .object({
    state: z.enum(CIRCUIT_STATES).openapi({ description: 'closed: sending; open: deliveries wait (uncounted) for the next probe; half_open: one delivery is sent as a probe' }),
    openedAt: z.string().nullable().openapi({ description: 'When the circuit opened (null while closed)' }),
    nextProbeAt: z.string().nullable().openapi({ description: 'When the next probe may go (null while closed)' }),
  })
  .openapi('Circuit', { description: "The endpoint's circuit breaker: it opens after attempts in a row time out, fail to connect or answer 5xx" });

export const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    consecutiveFailures: z.number().int(),
    disabledAt: z.string().nullable(),
    disabledReason: z.enum(DISABLED_REASONS).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    headers: z.record(z.string(), z.string()).openapi({ description: 'Custom headers sent on every attempt' }),
    signatureScheme: z.enum(SIGNATURE_SCHEMES).openapi({ description: 'v1: HMAC-SHA256 with the whsec_ secret; v1a: ed25519, verify with publicKey' }),
    publicKey: z.string().nullable().openapi({ description: 'whpk_<base64 of the raw ed25519 public key> of the newest key (v1a), null for v1' }),
    maxInFlight: z.number().int().nullable().openapi({ description: "Sends to this endpoint at once per worker; null: the worker's default (HOOKLINE_ENDPOINT_MAX_IN_FLIGHT)" }),
    rateLimit: z.number().nullable().openapi({ description: 'Deliveries per second across all workers; null: no limit' }),
    ordering: z.enum(['unordered', 'fifo']).openapi({ description: 'fifo: one delivery at a time, in publish order' }),
    type: z.enum(ENDPOINT_TYPES).openapi({ description: 'http: POST to url; rabbitmq, nats, redis: publish as config says (url is then config.serverUrl)' }),
    config: z.record(z.string(), z.union([z.string(), z.number()])).openapi({ description: 'The broker destination ({} for http)' }),
    credentialsSet: z.array(z.string()).openapi({ description: 'Which credential fields are set (their values are never shown)', example: ['username', 'password'] }),
    circuit: CircuitSchema,
    ...authViewFields,
    ...routingView,
  })
  .openapi('Endpoint');

export const DeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    kind: z.enum(DELIVERY_KINDS),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    lastAttemptAt: z.string().nullable(),
    nextRetryAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Delivery');

export const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: z.string(),
    durationMs: z.number().int(),
    responseStatus: z.number().int().nullable().openapi({ description: 'The HTTP status; for a broker, what its outcome stands for: 202 taken, 400 final, null retried' }),
    responseBody: z.string().nullable().openapi({ description: "The first 1 KiB of the answer; for a broker, its words (e.g. 'stored in stream ORDERS at sequence 12')" }),
    outcome: z.string().nullable().openapi({ description: 'A broker attempt\'s outcome code (confirmed, acked, appended, unroutable, no_stream, auth_failed, timeout, ...); null for http' }),
    error: z.string().nullable(),
    nextRetryAt: z.string().nullable(),
  })
  .openapi('Attempt');

export const DeliveryWithAttemptsSchema = DeliverySchema.extend({ attempts: z.array(AttemptSchema) }).openapi('DeliveryWithAttempts');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEndpointView(row: EndpointRow): z.infer<typeof EndpointSchema> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.eventTypes,
    enabled: row.enabled,
    consecutiveFailures: row.consecutiveFailures,
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason as z.infer<typeof EndpointSchema>['disabledReason'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    headers: Object.fromEntries(row.headers ?? []),
    signatureScheme: row.signatureScheme ?? 'v1',
    publicKey: row.publicKey ?? null,
    maxInFlight: row.maxInFlight,
    rateLimit: row.rateLimit,
    ordering: row.ordering,
    type: row.type ?? 'http',
    config: (row.config ?? {}) as Record<string, string | number>,
    credentialsSet: row.credentialFields ?? [],
    circuit: { state: row.circuitState ?? 'closed', openedAt: iso(row.circuitOpenedAt ?? null), nextProbeAt: iso(row.circuitNextProbeAt ?? null) },
    ...toAuthView(row),
    ...toRoutingView(row),
  };
}

export function toDeliveryView(row: DeliveryRow): z.infer<typeof DeliverySchema> {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    kind: row.kind,
    status: row.status,
    attemptCount: row.attemptCount,
    lastAttemptAt: iso(row.lastAttemptAt),
    nextRetryAt: iso(row.nextRetryAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toAttemptView(row: AttemptRow): z.infer<typeof AttemptSchema> {
  return { ...row, outcome: row.outcome ?? null, startedAt: row.startedAt.toISOString(), nextRetryAt: iso(row.nextRetryAt) };
}

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const, minimum: 1 } } };

export const errorResponses = (...codes: (400 | 401 | 404 | 409 | 413 | 429 | 503)[]) =>
  Object.fromEntries(
    codes.map((code) => [
      code,
      {
        description: ERROR_DESCRIPTIONS[code],
        ...(code === 429 || code === 503 ? { headers: RETRY_AFTER } : {}),
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  );

const ERROR_DESCRIPTIONS = {
  400: 'Bad JSON or failed validation; the message names the field',
  401: 'Missing or invalid bearer token',
  404: 'Not found (also for another tenant’s resources)',
  409: 'Conflict',
  413: 'Body over its limit (64 KiB; events HOOKLINE_MAX_PAYLOAD_BYTES)',
  429: 'Over the tenant’s rate for this action; retry after the Retry-After seconds',
  503: 'Temporal or Postgres unavailable; retry after the Retry-After seconds',
};
