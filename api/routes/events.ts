import { createRoute, z } from '@hono/zod-openapi';
import { EVENT_TYPE_PATTERN, RESERVED_EVENT_TYPES } from '../../domain/event-types';
import { invalid } from '../../domain/errors';
import { checkPublish } from '../../services/event-types';
import { publishEvent } from '../../services/publish';
import { createPublishLimiter } from '../../services/publish-limit';
import { adminAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { jsonProblem } from '../../domain/json-depth';
import { TENANT_ID_PATTERN, errorResponses } from '../schemas';
import { createRouter } from '../router';
import { eventChannels } from './routing-schemas';

const MAX_DATA_DEPTH = 64;

const PublishEvent = z.strictObject({
  tenantId: z.string().regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$'),
  type: z.string().max(128).regex(EVENT_TYPE_PATTERN, 'must be dotted words, e.g. signing.completed'),
  data: z
    .unknown()
    .refine((v) => v !== undefined, 'required')
    .refine((v) => v !== null, 'must not be null')
    .openapi({ description: 'Any JSON value but null' }),
  id: z.string().regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$').optional().openapi({ description: 'Idempotency key' }),
  channels: eventChannels.optional(),
});

const publish = createRoute({
  method: 'post',
  path: '/events',
  summary: 'Publish an event to a tenant’s subscribed endpoints (admin); data is checked against its type’s schema',
  security: [{ bearerAuth: [] }],
  request: { body: { content: { 'application/json': { schema: PublishEvent } }, required: true } },
  responses: {
    202: { description: 'Accepted: stored and its deliveries started', content: { 'application/json': { schema: z.object({ id: z.string() }) } } },
    ...errorResponses(400, 401, 404, 413, 429, 503),
  },
});

export function eventRoutes(deps: ApiDeps) {
  const { config, metrics } = deps;
  const app = createRouter();
  const publishLimit = createPublishLimiter(deps);
  // GET /v1/event-types and the admin routes of the catalogue: routes/event-types.ts.
  app.on('POST', '/events', adminAuth(config.adminToken));
  app.openapi(publish, async (c) => {
    const body = c.req.valid('json');
    if (RESERVED_EVENT_TYPES.has(body.type)) throw invalid('type', `${body.type} is sent by Hookline only`);
    const problem = jsonProblem(body.data, MAX_DATA_DEPTH);
    if (problem) throw invalid('data', problem);
    // Counted before the schema check, which is the costly part of a refused publish.
    await publishLimit.take(body.tenantId);
    // Unknown (unless HOOKLINE_OPEN_EVENT_TYPES) or archived types, and data the type's schema refuses.
    await checkPublish(deps, body.type, body.data);
    const result = await publishEvent(deps, body);
    if (result.created) metrics.eventsPublished.inc();
    return c.json({ id: result.id }, 202);
  });
  return app;
}
