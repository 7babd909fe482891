import { createRoute, z } from '@hono/zod-openapi';
import { invalid, notFound } from '../../domain/errors';
import { getEvent, listEvents, searchDeliveries } from '../../db/queries/search';
import { withTenant } from '../../db/sql';
import type { TenantEnv } from '../auth';
import { encodeCursor } from '../cursor';
import type { ApiDeps } from '../deps';
import { decodeEventCursor, encodeEventCursor } from '../event-cursor';
import { errorResponses, IdParam, json, toDeliveryView } from '../schemas';
import { tenantOrAdminAuth } from '../tenant-or-admin-auth';
import { EventQuery, EventSchema, EventSummarySchema, EventsQuery, checkWindow, toEventSummary, toEventView } from './search-schemas';
import { createRouter } from '../router';

const security = [{ bearerAuth: [] }];
const EVENT_DELIVERIES = 100;

const routes = {
  list: createRoute({
    method: 'get', path: '/events', summary: 'The tenant’s events, newest first (API key; or admin token with tenantId)', security,
    request: { query: EventsQuery },
    responses: {
      200: { description: 'A page of events (without their payloads)', ...json(z.object({ data: z.array(EventSummarySchema), nextCursor: z.string().nullable() })) },
      ...errorResponses(400, 401),
    },
  }),
  get: createRoute({
    method: 'get', path: '/events/{id}', summary: 'An event with its payload and deliveries (API key; or admin token with tenantId)', security,
    request: { params: IdParam, query: EventQuery },
    responses: { 200: { description: 'Event', ...json(EventSchema) }, ...errorResponses(400, 401, 404) },
  }),
};

/** GET /v1/events and /v1/events/:id: the event log. Publishing (POST /v1/events) is in events.ts. */
export function eventLogRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = createRouter<TenantEnv>();
  app.on('GET', ['/events', '/events/:id'], tenantOrAdminAuth(sql, deps.config.adminToken));

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    checkWindow(query);
    const before = query.cursor === undefined ? undefined : decodeEventCursor(query.cursor);
    if (before === null) throw invalid('cursor', 'not a cursor from this API');
    const tenantId = c.get('tenantId');
    const page = await withTenant(sql, tenantId, (tx) =>
      listEvents(tx, tenantId, { type: query.type, channel: query.channel, since: query.since, until: query.until, limit: query.limit ?? 20, before }),
    );
    return c.json({ data: page.rows.map(toEventSummary), nextCursor: page.next ? encodeEventCursor(page.next) : null }, 200);
  });

  app.openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    const tenantId = c.get('tenantId');
    const found = await withTenant(sql, tenantId, async (tx) => {
      const event = await getEvent(tx, tenantId, id);
      return event && { event, deliveries: await searchDeliveries(tx, tenantId, { eventId: id, limit: EVENT_DELIVERIES }) };
    });
    if (!found) throw notFound('event');
    const { rows, next } = found.deliveries;
    return c.json({ ...toEventView(found.event), deliveries: rows.map(toDeliveryView), deliveriesNextCursor: next ? encodeCursor(next) : null }, 200);
  });
  return app;
}
