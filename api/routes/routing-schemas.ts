import { z } from '@hono/zod-openapi';
import { CHANNEL_PATTERN, MAX_CHANNELS } from '../../domain/channels';
import { FILTER_MAX_BYTES, FILTER_MAX_DEPTH, FILTER_OPERATORS, filterProblem } from '../../domain/event-filter-check';
import type { RoutingColumns } from '../../db/queries/endpoint-routing';

/** Filters and channels: the endpoint fields, the event's channels and the delivery search's `channel`. */

export const channel = z.string().regex(CHANNEL_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,64}$');

const channelList = (meaning: string) =>
  z
    .array(channel)
    .max(MAX_CHANNELS, `at most ${MAX_CHANNELS} channels`)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a channel')
    .openapi({ description: meaning, example: ['project-7', 'eu'] });

/** A problem names its path inside the filter: `filter.data.amount.$gte: must be a number or a string`. */
const filter = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const found = filterProblem(value, 'filter');
    if (found) ctx.addIssue({ code: 'custom', message: found.message, path: found.path.split('.').slice(1) });
  })
  .openapi({
    description:
      `Deliver only events this matches: the event as the API shows it ({ id, type, data, channels, createdAt }), field by field; ` +
      `operators ${FILTER_OPERATORS.join(' ')}; at most ${FILTER_MAX_DEPTH} levels and ${FILTER_MAX_BYTES / 1024} KiB. {} or null: no filter`,
    example: { data: { amount: { $gte: 100 }, currency: { $in: ['usd', 'eur'] } } },
  });

const endpointChannels = channelList('Receive only events that carry one of these channels; absent or []: every event');

/** Spread into CreateWebhook. */
export const routingFields = {
  filter: filter.nullable().optional(),
  channels: endpointChannels.optional(),
};

/** Spread into UpdateWebhook: a value replaces, null (or {} / []) clears. */
export const routingPatch = {
  filter: filter.nullable().optional(),
  channels: endpointChannels.nullable().optional(),
};

/** Spread into EndpointSchema. */
export const routingView = {
  filter: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The payload filter; null: none' }),
  channels: z.array(z.string()).openapi({ description: 'Channels it receives; []: every event' }),
};

export const toRoutingView = (row: Partial<RoutingColumns>) => ({
  filter: row.filterJson ? (JSON.parse(row.filterJson) as Record<string, unknown>) : null,
  channels: row.channels ?? [],
});

/** The publish body's `channels`. */
export const eventChannels = channelList(`Channels of the event (at most ${MAX_CHANNELS}): endpoints that list channels receive it only when they share one`);
