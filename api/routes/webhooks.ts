import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { isKnownEventType } from '../../domain/event-types';
import { newId } from '../../domain/ids';
import { encryptSecret, fingerprint, generateWebhookSecret } from '../../domain/secrets';
import { checkEndpointUrl } from '../../domain/url-rules';
import { signalEndpointWorkflow, startEndpointWorkflow, stopEndpointWorkflows } from '../../temporal/endpoint-client';
import { sendTestSignal, setEnabledSignal } from '../../temporal/workflows/messages';
import {
  countEndpointsLocked, deleteEndpoint, getEndpoint, insertEndpoint, listEndpoints, rotateSecret, updateEndpoint,
} from '../../db/queries/endpoints';
import { insertDelivery, listDeliveries } from '../../db/queries/deliveries';
import { withTenant } from '../../db/sql';
import { tenantAuth, type TenantEnv } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, describeZodError, notFound, validationHook } from '../errors';
import { DeliverySchema, EndpointSchema, errorResponses, toDeliveryView, toEndpointView } from '../schemas';
import { CreateWebhook, DeliveriesQuery, IdParam, RotateSecret, UpdateWebhook } from './webhook-schemas';
import { decodeCursor, encodeCursor } from '../cursor';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearerAuth: [] }];

const routes = {
  create: createRoute({
    method: 'post', path: '/', summary: 'Create an endpoint; the answer holds its secret, shown this once', security,
    request: { body: { ...json(CreateWebhook), required: true } },
    responses: { 201: { description: 'Created', ...json(EndpointSchema.extend({ secret: z.string() })) }, ...errorResponses(400, 401, 409) },
  }),
  list: createRoute({
    method: 'get', path: '/', summary: 'List endpoints', security,
    responses: { 200: { description: 'Endpoints', ...json(z.object({ data: z.array(EndpointSchema) })) }, ...errorResponses(401) },
  }),
  get: createRoute({
    method: 'get', path: '/{id}', summary: 'Get an endpoint', security, request: { params: IdParam },
    responses: { 200: { description: 'Endpoint', ...json(EndpointSchema) }, ...errorResponses(401, 404) },
  }),
  update: createRoute({
    method: 'patch', path: '/{id}', summary: 'Update an endpoint; enabled: true re-enables it and resets its failure count', security,
    request: { params: IdParam, body: { ...json(UpdateWebhook), required: true } },
    responses: { 200: { description: 'Endpoint', ...json(EndpointSchema) }, ...errorResponses(400, 401, 404) },
  }),
  remove: createRoute({
    method: 'delete', path: '/{id}', summary: 'Delete an endpoint with its deliveries and attempts', security, request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
  }),
  rotate: createRoute({
    method: 'post', path: '/{id}/rotate-secret', summary: 'Rotate the secret; the old one keeps signing until the grace ends', security,
    request: { params: IdParam, body: { ...json(RotateSecret), required: false } },
    responses: { 200: { description: 'The new secret, shown this once', ...json(z.object({ secret: z.string() })) }, ...errorResponses(400, 401, 404) },
  }),
  test: createRoute({
    method: 'post', path: '/{id}/test', summary: 'Send a webhook.test event (works on a disabled endpoint)', security, request: { params: IdParam },
    responses: { 202: { description: 'Accepted', ...json(z.object({ deliveryId: z.string() })) }, ...errorResponses(401, 404) },
  }),
  deliveries: createRoute({
    method: 'get', path: '/{id}/deliveries', summary: 'Deliveries to this endpoint, newest first', security,
    request: { params: IdParam, query: DeliveriesQuery },
    responses: {
      200: { description: 'A page of deliveries', ...json(z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() })) },
      ...errorResponses(400, 401, 404),
    },
  }),
};

export function webhookRoutes(deps: ApiDeps) {
  const { sql, client, config } = deps;
  const taskQueue = config.temporal.taskQueue;
  const app = new OpenAPIHono<TenantEnv>({ defaultHook: validationHook });
  app.use('*', tenantAuth(sql));

  async function checkUrl(url: string): Promise<void> {
    const problem = await checkEndpointUrl(url, config);
    if (problem) throw badRequest('url', problem);
  }
  function checkEvents(events: string[] | undefined): void {
    const unknown = config.openEventTypes ? undefined : events?.find((t) => t !== '*' && !isKnownEventType(t));
    if (unknown) throw badRequest('events', `unknown event type ${unknown} (see GET /v1/event-types)`);
  }

  app.openapi(routes.create, async (c) => {
    const tenantId = c.get('tenantId');
    const body = c.req.valid('json');
    await checkUrl(body.url);
    checkEvents(body.events);
    const id = newId('ep');
    const secret = generateWebhookSecret();
    const row = await withTenant(sql, tenantId, async (tx) => {
      if ((await countEndpointsLocked(tx, tenantId)) >= config.maxEndpointsPerTenant) {
        throw new ApiError(409, 'conflict', `a tenant may have at most ${config.maxEndpointsPerTenant} endpoints`);
      }
      return insertEndpoint(
        tx,
        { id, tenantId, url: body.url, description: body.description ?? '', eventTypes: body.events ?? ['*'] },
        { ciphertext: encryptSecret(config.encryptionKey, secret, id), fingerprint: fingerprint(secret) },
      );
    });
    try {
      await startEndpointWorkflow(client, taskQueue, { tenantId, endpointId: id });
    } catch (err) {
      // Not fatal: the first delivery outcome starts it (signal-with-start).
      deps.log.warn({ err, endpointId: id }, 'could not start the endpoint workflow yet');
    }
    return c.json({ ...toEndpointView(row), secret }, 201);
  });

  app.openapi(routes.list, async (c) => {
    const rows = await withTenant(sql, c.get('tenantId'), listEndpoints);
    return c.json({ data: rows.map(toEndpointView) }, 200);
  });

  app.openapi(routes.get, async (c) => {
    const row = await withTenant(sql, c.get('tenantId'), (tx) => getEndpoint(tx, c.req.valid('param').id));
    if (!row) throw notFound('webhook');
    return c.json(toEndpointView(row), 200);
  });

  app.openapi(routes.update, async (c) => {
    const tenantId = c.get('tenantId');
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    if (patch.url !== undefined) await checkUrl(patch.url);
    checkEvents(patch.events);
    const result = await withTenant(sql, tenantId, async (tx) => {
      const before = await getEndpoint(tx, id);
      if (!before) return null;
      const after = await updateEndpoint(tx, id, { url: patch.url, eventTypes: patch.events, description: patch.description, enabled: patch.enabled });
      return { before, after: after! };
    });
    if (!result) throw notFound('webhook');
    if (patch.enabled !== undefined && (patch.enabled !== result.before.enabled || patch.enabled)) {
      await signalEndpointWorkflow(client, taskQueue, { tenantId, endpointId: id }, setEnabledSignal, { enabled: patch.enabled });
    }
    return c.json(toEndpointView(result.after), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const { id } = c.req.valid('param');
    const deleted = await withTenant(sql, c.get('tenantId'), (tx) => deleteEndpoint(tx, id));
    if (!deleted) throw notFound('webhook');
    await stopEndpointWorkflows(client, id, deleted.pendingDeliveryIds);
    return c.body(null, 204);
  });

  app.openapi(routes.rotate, async (c) => {
    const tenantId = c.get('tenantId');
    const { id } = c.req.valid('param');
    const graceSeconds = (await readOptionalJson(c, RotateSecret)).graceSeconds ?? 86_400;
    const secret = generateWebhookSecret();
    const found = await withTenant(sql, tenantId, async (tx) => {
      if (!(await getEndpoint(tx, id))) return false;
      await rotateSecret(tx, { id, tenantId }, { ciphertext: encryptSecret(config.encryptionKey, secret, id), fingerprint: fingerprint(secret) }, graceSeconds);
      return true;
    });
    if (!found) throw notFound('webhook');
    return c.json({ secret }, 200);
  });

  app.openapi(routes.test, async (c) => {
    const tenantId = c.get('tenantId');
    const { id } = c.req.valid('param');
    const deliveryId = newId('dlv');
    const eventId = newId('evt');
    const found = await withTenant(sql, tenantId, async (tx) => {
      if (!(await getEndpoint(tx, id))) return false;
      const data = { endpointId: id, message: 'This is a test event from Hookline.' };
      await tx`insert into events (tenant_id, id, type, data) values (${tenantId}, ${eventId}, 'webhook.test', ${tx.json(data)})`;
      await insertDelivery(tx, { id: deliveryId, tenantId, endpointId: id, eventId, kind: 'test' });
      return true;
    });
    if (!found) throw notFound('webhook');
    await signalEndpointWorkflow(client, taskQueue, { tenantId, endpointId: id }, sendTestSignal, { deliveryId, eventId });
    return c.json({ deliveryId }, 202);
  });

  app.openapi(routes.deliveries, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (beforeSeq === null) throw badRequest('cursor', 'not a cursor from this API');
    const page = await withTenant(sql, c.get('tenantId'), async (tx) => {
      if (!(await getEndpoint(tx, id))) return null;
      return listDeliveries(tx, { endpointId: id, status: query.status, limit: query.limit ?? 20, beforeSeq });
    });
    if (!page) throw notFound('webhook');
    return c.json({ data: page.rows.map(toDeliveryView), nextCursor: page.nextSeq ? encodeCursor(page.nextSeq) : null }, 200);
  });

  return app;
}

/** The rotate body is optional: no body (or an empty one) means the defaults. */
async function readOptionalJson<T extends z.ZodType>(c: { req: { text(): Promise<string> } }, schema: T): Promise<z.infer<T>> {
  const text = (await c.req.text()).trim();
  if (!text) return schema.parse({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('body', 'malformed JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new ApiError(400, 'invalid_request', describeZodError(result.error, 'body'));
  return result.data;
}
