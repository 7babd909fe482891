import { z } from '@hono/zod-openapi';
import { DELIVERY_KINDS, DELIVERY_STATUSES } from '../../domain/enums';
import { EVENT_TYPE_PATTERN } from '../../domain/event-types';
import { invalid } from '../../domain/errors';
import { parseInstant } from '../../domain/instant';
import type { EventRow, EventWithData } from '../../db/queries/search';
import { DeliverySchema, TENANT_ID_PATTERN } from '../schemas';
import { PageLimit } from './webhook-schemas';
import { channel } from './routing-schemas';

/** Query strings and answers of the event log and the delivery search. */

const instant = (meaning: string) =>
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      const at = parseInstant(v);
      if (typeof at === 'string') {
        ctx.addIssue({ code: 'custom', message: at });
        return z.NEVER;
      }
      return at;
    })
    .optional()
    .openapi({ description: meaning, type: 'string', format: 'date-time' });

const window = {
  since: instant('Created at or after this time'),
  until: instant('Created before this time'),
};

const adminTenant = z
  .string()
  .regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$')
  .optional()
  .openapi({ description: 'With the admin token only (required then): whose events to read' });

const id = z.string().max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'not an id Hookline made').optional();

export const EventsQuery = z.strictObject({
  type: z.string().max(128).regex(EVENT_TYPE_PATTERN, 'must be dotted words, e.g. signing.completed').optional(),
  channel: channel.optional().openapi({ description: 'Events that carry this channel' }),
  ...window,
  limit: PageLimit,
  cursor: z.string().max(300).optional(),
  tenantId: adminTenant,
});

export const EventQuery = z.strictObject({ tenantId: adminTenant });

export const DeliverySearchQuery = z.strictObject({
  endpointId: id,
  eventId: id,
  eventType: z.string().max(128).regex(EVENT_TYPE_PATTERN, 'must be dotted words, e.g. signing.completed').optional(),
  channel: channel.optional().openapi({ description: 'Deliveries of events that carry this channel' }),
  status: z.enum(DELIVERY_STATUSES).optional(),
  kind: z.enum(DELIVERY_KINDS).optional(),
  ...window,
  limit: PageLimit,
  cursor: z.string().max(200).optional(),
});

/** since must come before until: a 400 naming until, not an empty page. */
export function checkWindow(q: { since?: Date; until?: Date }): void {
  if (q.since && q.until && q.since.getTime() >= q.until.getTime()) throw invalid('until', 'must be after since');
}

export const EventSummarySchema = z
  .object({ id: z.string(), type: z.string(), channels: z.array(z.string()).openapi({ description: 'The channels it was published with' }), createdAt: z.string() })
  .openapi('EventSummary');

export const EventSchema = EventSummarySchema.extend({
  data: z.unknown().openapi({ description: 'The payload as published' }),
  deliveries: z.array(DeliverySchema).describe('Its deliveries (every kind), newest first: the first 100'),
  deliveriesNextCursor: z.string().nullable().describe('More deliveries: GET /v1/deliveries?eventId=<id>&cursor=<this>'),
}).openapi('Event');

export const toEventSummary = (row: EventRow) => ({ id: row.id, type: row.type, channels: row.channels ?? [], createdAt: row.createdAt.toISOString() });
export const toEventView = (row: EventWithData) => ({ ...toEventSummary(row), data: row.data });
