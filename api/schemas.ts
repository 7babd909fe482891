import { z } from '@hono/zod-openapi';
import { DELIVERY_KINDS, DELIVERY_STATUSES, DISABLED_REASONS } from '../domain/enums';
import { ERROR_CODES } from '../domain/errors';
import type { EndpointRow } from '../db/queries/endpoints';
import type { AttemptRow, DeliveryRow } from '../db/queries/deliveries';

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export const ErrorSchema = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), requestId: z.string().optional() }) })
  .openapi('Error');

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
    responseStatus: z.number().int().nullable(),
    responseBody: z.string().nullable(),
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
  return { ...row, startedAt: row.startedAt.toISOString(), nextRetryAt: iso(row.nextRetryAt) };
}

export const errorResponses = (...codes: (400 | 401 | 404 | 409 | 413 | 503)[]) =>
  Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_DESCRIPTIONS[code], content: { 'application/json': { schema: ErrorSchema } } }]),
  );

const ERROR_DESCRIPTIONS = {
  400: 'Bad JSON or failed validation; the message names the field',
  401: 'Missing or invalid bearer token',
  404: 'Not found (also for another tenant’s resources)',
  409: 'Conflict',
  413: 'Body over the size limit',
  503: 'Temporal or Postgres unavailable; retry after the Retry-After seconds',
};
