import { createMiddleware } from 'hono/factory';
import { createRoute, z } from '@hono/zod-openapi';
import { invalid } from '../../domain/errors';
import { OPERATOR_TENANT_ID } from '../../db/queries/operator';
import * as tenants from '../../services/tenants';
import { adminAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { tenantApiKeyRoutes } from './tenant-api-keys';
import { tenantRetentionRoutes } from './tenant-retention';
import { tenantSettingsRoutes } from './tenant-settings';
import { portalSessionRoutes } from './portal-sessions';
import { CreateTenant, TenantCreated, TenantParam, TenantSchema, TenantsQuery, decodeTenantCursor, encodeTenantCursor, toTenantView } from './tenant-schemas';
import { createRouter } from '../router';

const security = [{ bearerAuth: [] }];

const routes = {
  create: createRoute({
    method: 'post', path: '/', summary: 'Create a tenant and its API key (admin)', security,
    request: { body: { ...json(CreateTenant), required: true } },
    responses: { 201: { description: 'Created', ...json(TenantCreated) }, ...errorResponses(400, 401, 409, 413) },
  }),
  list: createRoute({
    method: 'get', path: '/', summary: 'List tenants in id order, a page at a time (admin)', security, request: { query: TenantsQuery },
    responses: {
      200: { description: 'A page of tenants', ...json(z.object({ data: z.array(TenantSchema), nextCursor: z.string().nullable() })) },
      ...errorResponses(400, 401),
    },
  }),
  get: createRoute({
    method: 'get', path: '/{id}', summary: 'Get a tenant (admin)', security, request: { params: TenantParam },
    responses: { 200: { description: 'Tenant', ...json(TenantSchema) }, ...errorResponses(400, 401, 404) },
  }),
  remove: createRoute({
    method: 'delete', path: '/{id}', summary: 'Delete a tenant with all its data; its workflows are cancelled (admin)', security,
    request: { params: TenantParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  }),
};

export function tenantRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = createRouter();
  app.use('*', adminAuth(deps.config.adminToken));

  app.openapi(routes.create, async (c) => {
    refuseReserved(c.req.valid('json').id);
    const tenant = await tenants.createTenant(sql, c.req.valid('json'));
    return c.json({ ...toTenantView(tenant), apiKey: tenant.apiKey }, 201);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const afterId = query.cursor === undefined ? undefined : decodeTenantCursor(query.cursor);
    if (afterId === null) throw invalid('cursor', 'not a cursor from this API');
    const page = await tenants.listTenants(sql, { afterId, limit: query.limit ?? 20 });
    return c.json({ data: page.tenants.map(toTenantView), nextCursor: page.next ? encodeTenantCursor(page.next) : null }, 200);
  });

  app.openapi(routes.get, async (c) => c.json(toTenantView(await tenants.getTenant(sql, c.req.valid('param').id)), 200));

  app.openapi(routes.remove, async (c) => {
    refuseReserved(c.req.valid('param').id);
    await tenants.deleteTenant(deps, c.req.valid('param').id);
    return c.body(null, 204);
  });

  // The operator's tenant: API keys only (to read its delivery log); its endpoint, settings and
  // retention come from configuration, and it has no portal.
  const reserved = createMiddleware(async (c, next) => {
    refuseReserved(c.req.param('id') ?? '');
    await next();
  });
  for (const path of ['/:id/settings', '/:id/portal-sessions', '/:id/portal-sessions/*']) app.use(path, reserved);
  app.on('PATCH', '/:id', reserved);

  app.route('/', tenantApiKeyRoutes(deps));
  app.route('/', tenantRetentionRoutes(deps));
  app.route('/', tenantSettingsRoutes(deps));
  app.route('/', portalSessionRoutes(deps));
  return app;
}

/** The operator's tenant (operational webhooks) is made from configuration, never through the API. */
function refuseReserved(id: string): void {
  if (id === OPERATOR_TENANT_ID) throw invalid('id', `${OPERATOR_TENANT_ID} is reserved for operational webhooks`);
}
