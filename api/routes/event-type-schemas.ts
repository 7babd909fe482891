import { z } from '@hono/zod-openapi';
import { EVENT_TYPE_PATTERN } from '../../domain/event-types';
import { jsonProblem } from '../../domain/json-depth';
import type { EventTypeRow } from '../../db/queries/event-types';
import { storableText } from '../schemas';

const MAX_DEPTH = 32;
const storableJson = (description: string) =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? null : jsonProblem(v, MAX_DEPTH);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .openapi({ description });

const typeName = z.string().max(128).regex(EVENT_TYPE_PATTERN, 'must be dotted words, e.g. signing.completed');
const schema = storableJson('A JSON Schema (draft 2020-12) that every published `data` of this type must match; null for none');
const example = storableJson('An example `data`; it must match the schema');

export const TypeParam = z.object({ type: typeName.openapi({ param: { name: 'type', in: 'path' } }) });

export const CreateEventType = z.strictObject({
  type: typeName,
  description: storableText(1_000).optional(),
  schema: schema.optional(),
  example: example.optional(),
});

export const UpdateEventType = z
  .strictObject({
    description: storableText(1_000).optional(),
    schema: schema.optional(),
    example: example.optional(),
    archived: z.boolean().optional().openapi({ description: 'false restores an archived type; POST …/archive archives' }),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of description, schema, example, archived');

export const EventTypesQuery = z.strictObject({
  archived: z.enum(['true', 'false']).optional().openapi({ description: 'true: archived types too' }),
});

export const EventTypeSchema = z
  .object({
    type: z.string(),
    description: z.string(),
    schema: z.unknown().openapi({ description: 'JSON Schema (draft 2020-12) of `data`, or null' }),
    example: z.unknown().openapi({ description: 'An example `data`, or null' }),
    archived: z.boolean(),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('EventType');

export const toEventTypeView = (r: EventTypeRow): z.infer<typeof EventTypeSchema> => ({
  type: r.name,
  description: r.description,
  schema: r.schema,
  example: r.example,
  archived: r.archivedAt !== null,
  archivedAt: r.archivedAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
