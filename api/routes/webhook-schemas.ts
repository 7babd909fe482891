import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES } from '../../domain/enums';
import { EVENT_TYPE_PATTERN } from '../../domain/event-types';
import { storableText } from '../schemas';

const events = z
  .array(z.string().max(128).regex(new RegExp(`^\\*$|${EVENT_TYPE_PATTERN.source}`), 'must be "*" or an event type'))
  .min(1)
  .max(100)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a type')
  .openapi({ description: 'Event types to receive; ["*"] for all', example: ['signing.completed'] });

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

export const CreateWebhook = z.strictObject({
  url: storableText(2048),
  events: events.optional(),
  description: storableText(500).optional(),
  maxInFlight: maxInFlight.optional(),
  rateLimit: rateLimit.optional(),
  ordering: ordering.optional(),
});

export const UpdateWebhook = z
  .strictObject({
    url: storableText(2048).optional(),
    events: events.optional(),
    description: storableText(500).optional(),
    enabled: z.boolean().optional(),
    maxInFlight: maxInFlight.optional(),
    rateLimit: rateLimit.optional(),
    ordering: ordering.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of url, events, description, enabled');

export const RotateSecret = z.strictObject({
  graceSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
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
