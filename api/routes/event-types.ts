import { createRoute, z } from '@hono/zod-openapi';
import * as eventTypes from '../../services/event-types';
import { adminAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { CreateEventType, EventTypeSchema, EventTypesQuery, TypeParam, UpdateEventType, toEventTypeView } from './event-type-schemas';
import { createRouter } from '../router';

/**
 * The event-type catalogue: anyone reads it (tenants pick types to subscribe to); the admin token
 * creates, changes and archives types. Archiving is the only removal: events of the type stay
 * readable and existing subscriptions keep receiving, but it can no longer be published or newly
 * subscribed to.
 */
const security = [{ bearerAuth: [] }];

const routes = {
  list: createRoute({
    method: 'get', path: '/', summary: 'The event-type catalogue, with schemas and examples', request: { query: EventTypesQuery },
    responses: { 200: { description: 'Event types', ...json(z.object({ data: z.array(EventTypeSchema) })) }, ...errorResponses(400) },
  }),
  get: createRoute({
    method: 'get', path: '/{type}', summary: 'One event type (archived ones too)', request: { params: TypeParam },
    responses: { 200: { description: 'Event type', ...json(EventTypeSchema) }, ...errorResponses(400, 404) },
  }),
  create: createRoute({
    method: 'post', path: '/', summary: 'Create an event type; its schema is checked now (admin)', security,
    request: { body: { ...json(CreateEventType), required: true } },
    responses: { 201: { description: 'Created', ...json(EventTypeSchema) }, ...errorResponses(400, 401, 409, 413) },
  }),
  update: createRoute({
    method: 'patch', path: '/{type}', summary: 'Change an event type (schema: null removes it; archived: false restores it) (admin)', security,
    request: { params: TypeParam, body: { ...json(UpdateEventType), required: true } },
    responses: { 200: { description: 'Event type', ...json(EventTypeSchema) }, ...errorResponses(400, 401, 404, 413) },
  }),
  archive: createRoute({
    method: 'post', path: '/{type}/archive', summary: 'Archive an event type: no more publishes or new subscriptions (admin)', security,
    request: { params: TypeParam },
    responses: { 200: { description: 'Event type', ...json(EventTypeSchema) }, ...errorResponses(400, 401, 404) },
  }),
};

export function eventTypeRoutes(deps: ApiDeps) {
  const app = createRouter();
  const admin = adminAuth(deps.config.adminToken);
  app.on(['POST', 'PATCH'], ['/', '/:type', '/:type/archive'], admin);

  app.openapi(routes.list, async (c) => {
    const rows = await eventTypes.listEventTypes(deps, { includeArchived: c.req.valid('query').archived === 'true' });
    return c.json({ data: rows.map(toEventTypeView) }, 200);
  });

  app.openapi(routes.get, async (c) => c.json(toEventTypeView(await eventTypes.getEventType(deps, c.req.valid('param').type)), 200));

  app.openapi(routes.create, async (c) => c.json(toEventTypeView(await eventTypes.createEventType(deps, c.req.valid('json'))), 201));

  app.openapi(routes.update, async (c) => {
    const row = await eventTypes.updateEventType(deps, c.req.valid('param').type, c.req.valid('json'));
    return c.json(toEventTypeView(row), 200);
  });

  app.openapi(routes.archive, async (c) => {
    const row = await eventTypes.updateEventType(deps, c.req.valid('param').type, { archived: true });
    return c.json(toEventTypeView(row), 200);
  });

  return app;
}
