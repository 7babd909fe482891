import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES } from '../../domain/enums';
import { EVENT_TYPE_PATTERN } from '../../domain/event-types';
import { SIGNATURE_SCHEMES } from '../../domain/endpoint-keys';
import { storableText } from '../schemas';
import { ENDPOINT_TYPES } from '../../domain/destinations';
import { authCreateFields, authUpdateFields } from './endpoint-auth-schemas';
import { routingFields, routingPatch } from './routing-schemas';

const events = z
  .array(z.string().max(128).regex(new RegExp(`^\\*$|${EVENT_TYPE_PATTERN.source}`), 'must be "*" or an event type'))
  .min(1)
  .max(100)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a type')
  .openapi({ description: 'Event types to receive; ["*"] for all', example: ['signing.completed'] });

// Names and values are checked in full by the service (domain/header-names.ts), naming the header.
const headers = z
  .record(z.string().max(200), z.string().max(2_000))
  .openapi({ description: 'Custom headers sent on every attempt (at most 20; no hop-by-hop, webhook-* or signature headers)', example: { Authorization: 'Bearer rcv_123' } });
const importedSecret = z
  .string()
  .max(200)
  .openapi({ description: 'An existing whsec_ secret (base64 of 24 to 64 bytes) to keep, e.g. moving from Svix; generated when absent' });
const signatureScheme = z.enum(SIGNATURE_SCHEMES).openapi({ description: 'v1 (HMAC, default) or v1a (ed25519: the answer shows publicKey, never a private key)' });
/** Flow control (issue 14); null sets a setting back to its default. */
const maxInFlight = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .nullable()
  .openapi({ description: "Sends to this endpoint at once in one worker, at most HOOKLINE_WORKER_CONCURRENCY; null: the worker's default" });
const rateLimit = z
  .number()
  .min(0.01)
  .max(10_000)
  .nullable()
  .openapi({ description: 'Deliveries per second, across all workers; excess deliveries wait. null: no limit' });
const ordering = z.enum(['unordered', 'fifo']).openapi({ description: 'fifo: one delivery at a time in publish order; a retrying head holds the rest' });

/** Broker destinations (issue 26): which fields apply to which type is checked by domain/destinations.ts, naming the field. */
const type = z.enum(ENDPOINT_TYPES).openapi({ description: 'Where it delivers: http (default: POST to url), rabbitmq, nats (JetStream) or redis (a stream)' });
const config = z
  .looseObject({
    serverUrl: z.string().max(2048).optional().openapi({ description: 'amqp(s)://host:5672/vhost, nats://host:4222 (tls:// for TLS), redis(s)://host:6379/0; no credentials in it' }),
    exchange: z.string().optional().openapi({ description: 'rabbitmq: the exchange to publish to (it must exist)' }),
    routingKey: z.string().optional().openapi({ description: 'rabbitmq: the routing key; absent: the event type' }),
    subject: z.string().optional().openapi({ description: 'nats: the subject; {type} stands for the event type; a JetStream stream must capture it' }),
    stream: z.string().optional().openapi({ description: 'redis: the stream key (it must exist: XADD NOMKSTREAM)' }),
    maxLen: z.number().int().optional().openapi({ description: 'redis: trim the stream to about this many entries (MAXLEN ~)' }),
  })
  .openapi('DestinationConfig', { description: 'The broker destination; required for rabbitmq, nats and redis, absent for http', example: { serverUrl: 'amqp://mq.example.com:5672/', exchange: 'webhooks' } });
const credentials = z
  .looseObject({ username: z.string().optional(), password: z.string().optional(), token: z.string().optional() })
  .openapi('DestinationCredentials', {
    description: 'Write-only, sealed at rest: rabbitmq { username, password }; nats { token } or { username, password }; redis { password } or { username, password }. Answers show only credentialsSet.',
  });

export const CreateWebhook = z.strictObject({
  url: storableText(2048).optional().openapi({ description: 'The receiver (type http, required); broker types use config.serverUrl' }),
  type: type.optional(),
  config: config.optional(),
  credentials: credentials.optional(),
  events: events.optional(),
  description: storableText(500).optional(),
  headers: headers.optional(),
  secret: importedSecret.optional(),
  signatureScheme: signatureScheme.optional(),
  maxInFlight: maxInFlight.optional(),
  rateLimit: rateLimit.optional(),
  ordering: ordering.optional(),
  ...authCreateFields,
  ...routingFields,
});

export const UpdateWebhook = z
  .strictObject({
    url: storableText(2048).optional(),
    type: type.optional().openapi({ description: 'Cannot change; accepted when it is the endpoint\'s own' }),
    config: config.optional(),
    credentials: credentials.nullable().optional().openapi({ description: 'Replaces the credentials; null removes them' }),
    events: events.optional(),
    description: storableText(500).optional(),
    enabled: z.boolean().optional(),
    headers: headers.optional(),
    recoverSkipped: z
      .boolean()
      .optional()
      .openapi({ description: 'With enabled: true, also re-send what was skipped while the endpoint was disabled (the answer holds the recoveryId)' }),
    maxInFlight: maxInFlight.optional(),
    rateLimit: rateLimit.optional(),
    ordering: ordering.optional(),
    ...authUpdateFields,
    ...routingPatch,
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of url, config, credentials, events, description, enabled, headers')
  .refine((p) => !p.recoverSkipped || p.enabled === true, { message: 'recoverSkipped: needs enabled: true', path: ['recoverSkipped'] });

export const RotateSecret = z.strictObject({
  graceSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
  secret: importedSecret.optional(),
  signatureScheme: signatureScheme.optional().openapi({ description: 'The new key\'s scheme (default: v1); the old key keeps signing by its own through the grace' }),
});


/** `?limit=` of every paged list: 1 to 100. */
export const PageLimit = z
  .string()
  .regex(/^\d+$/, 'must be a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100'))
  .optional();

export const DeliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: PageLimit,
  cursor: z.string().max(200).optional(),
});
