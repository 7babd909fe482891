import { OPERATOR_TENANT_ID } from '../../db/queries/operator';
import { createRoute, z } from '@hono/zod-openapi';
import { HooklineError, conflict, invalid, notFound } from '../../domain/errors';
import { getEndpoint, listEndpoints } from '../../db/queries/endpoints';
import { listDeliveries } from '../../db/queries/deliveries';
import { withTenant } from '../../db/sql';
import * as endpoints from '../../services/endpoints';
import { tenantAuth, type TenantEnv } from '../auth';
import type { ApiDeps } from '../deps';
import { describeZodError } from '../errors';
import { DeliverySchema, EndpointSchema, errorResponses, IdParam, json, toDeliveryView, toEndpointView } from '../schemas';
import { CreateWebhook, DeliveriesQuery, RotateSecret, UpdateWebhook } from './webhook-schemas';
import { decodeCursor, encodeCursor } from '../cursor';
import { tenantRateLimit } from '../rate-limit';
import { recoverRoutes } from './recoveries';
import { createRouter } from '../router';

const security = [{ bearerAuth: [] }];

const routes = {
  create: createRoute({
    method: 'post', path: '/', summary: 'Create an endpoint; the answer holds its secret, shown this once', security,
    request: { body: { ...json(CreateWebhook), required: true } },
    responses: {
      201: { description: 'Created', ...json(EndpointSchema.extend({ secret: z.string().optional().openapi({ description: 'The whsec_ secret (v1), shown this once; absent for v1a' }) })) },
      ...errorResponses(400, 401, 409, 413),
    },
  }),
  list: createRoute({
    method: 'get', path: '/', summary: 'List endpoints', security,
    responses: { 200: { description: 'Endpoints', ...json(z.object({ data: z.array(EndpointSchema) })) }, ...errorResponses(401) },
  }),
  get: createRoute({
    method: 'get', path: '/{id}', summary: 'Get an endpoint', security, request: { params: IdParam },
    responses: { 200: { description: 'Endpoint', ...json(EndpointSchema) }, ...errorResponses(400, 401, 404) },
  }),
  update: createRoute({
    method: 'patch', path: '/{id}', summary: 'Update an endpoint; enabled: true re-enables it and resets its failure count', security,
    request: { params: IdParam, body: { ...json(UpdateWebhook), required: true } },
    responses: {
      200: { description: 'Endpoint (with the recoveryId when recoverSkipped started one)', ...json(EndpointSchema.extend({ recoveryId: z.string().optional() })) },
      ...errorResponses(400, 401, 404, 413),
    },
  }),
  remove: createRoute({
    method: 'delete', path: '/{id}', summary: 'Delete an endpoint with its deliveries and attempts', security, request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  }),
  rotate: createRoute({
    method: 'post', path: '/{id}/rotate-secret', summary: 'Rotate the secret; the old one keeps signing until the grace ends', security,
    request: { params: IdParam, body: { ...json(RotateSecret), required: false } },
    responses: {
      200: { description: 'The new secret, shown this once (v1), or the new public key (v1a)', ...json(z.object({ secret: z.string().optional(), publicKey: z.string().optional() })) },
      ...errorResponses(400, 401, 404, 413),
    },
  }),
  publicKey: createRoute({
    method: 'get', path: '/{id}/public-key', summary: 'The endpoint\'s ed25519 public key (v1a), to verify its signatures', security, request: { params: IdParam },
    responses: {
      200: { description: 'The public key', ...json(z.object({ signatureScheme: z.literal('v1a'), publicKey: z.string() })) },
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  test: createRoute({
    method: 'post', path: '/{id}/test', summary: 'Send a webhook.test event (works on a disabled endpoint)', security, request: { params: IdParam },
    responses: { 202: { description: 'Accepted', ...json(z.object({ deliveryId: z.string() })) }, ...errorResponses(400, 401, 404, 413, 429) },
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
  const { sql } = deps;
  const app = createRouter<TenantEnv>();
  app.use('*', tenantAuth(sql));
  // The operator's endpoint is made from HOOKLINE_OPERATOR_WEBHOOK_URL: its key may read, not change.
  app.use('*', async (c, next) => {
    if (c.get('tenantId') === OPERATOR_TENANT_ID && c.req.method !== 'GET') {
      throw invalid('tenantId', `${OPERATOR_TENANT_ID}'s endpoint comes from HOOKLINE_OPERATOR_WEBHOOK_URL and cannot be changed through the API`);
    }
    await next();
  });

  app.openapi(routes.create, async (c) => {
    const { endpoint, secret } = await endpoints.createEndpoint(deps, c.get('tenantId'), c.req.valid('json'));
    return c.json({ ...toEndpointView(endpoint), ...(secret === null ? {} : { secret }) }, 201);
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
    const row = await endpoints.updateEndpoint(deps, c.get('tenantId'), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...toEndpointView(row), ...('recoveryId' in row && row.recoveryId ? { recoveryId: row.recoveryId } : {}) }, 200);
  });

  app.openapi(routes.remove, async (c) => {
    await endpoints.deleteEndpoint(deps, c.get('tenantId'), c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(routes.rotate, async (c) => {
    const body = await readOptionalJson(c, RotateSecret);
    const key = await endpoints.rotateEndpointKey(deps, c.get('tenantId'), c.req.valid('param').id, body.graceSeconds ?? 86_400, body);
    return c.json(key.secret === null ? { publicKey: key.publicKey! } : { secret: key.secret }, 200);
  });

  app.openapi(routes.publicKey, async (c) => {
    const row = await withTenant(sql, c.get('tenantId'), (tx) => getEndpoint(tx, c.req.valid('param').id));
    if (!row) throw notFound('webhook');
    if (row.signatureScheme !== 'v1a' || !row.publicKey) throw conflict('this endpoint signs with a v1 secret: it has no public key');
    return c.json({ signatureScheme: 'v1a' as const, publicKey: row.publicKey }, 200);
  });

  app.on('POST', '/:id/test', tenantRateLimit(sql, 'test', deps.config.tenantRatePerMinute.test));
  app.openapi(routes.test, async (c) => {
    const deliveryId = await endpoints.sendTestEvent(deps, c.get('tenantId'), c.req.valid('param').id);
    return c.json({ deliveryId }, 202);
  });

  app.openapi(routes.deliveries, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (before === null) throw invalid('cursor', 'not a cursor from this API');
    const page = await withTenant(sql, c.get('tenantId'), async (tx) => {
      if (!(await getEndpoint(tx, id))) return null;
      return listDeliveries(tx, { endpointId: id, status: query.status, limit: query.limit ?? 20, before });
    });
    if (!page) throw notFound('webhook');
    return c.json({ data: page.rows.map(toDeliveryView), nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.route('/', recoverRoutes(deps));
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
    throw invalid('body', 'malformed JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new HooklineError('invalid_request', describeZodError(result.error, 'body'));
  return result.data;
}
