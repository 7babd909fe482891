import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { createTenant } from '../../services/tenants';
import { adminAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { validationHook } from '../errors';
import { TENANT_ID_PATTERN, errorResponses } from '../schemas';

const CreateTenant = z.strictObject({
  id: z.string().regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$'),
  name: z.string().max(200).optional(),
});

const TenantCreated = z
  .object({ id: z.string(), name: z.string(), apiKey: z.string().describe('Shown once; store it now'), createdAt: z.string() })
  .openapi('TenantCreated');

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a tenant and its API key (admin)',
  security: [{ bearerAuth: [] }],
  request: { body: { content: { 'application/json': { schema: CreateTenant } }, required: true } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: TenantCreated } } }, ...errorResponses(400, 401, 409) },
});

export function tenantRoutes({ sql, config }: ApiDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use('*', adminAuth(config.adminToken));
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const tenant = await createTenant(sql, body);
    return c.json({ id: tenant.id, name: tenant.name, apiKey: tenant.apiKey, createdAt: tenant.createdAt.toISOString() }, 201);
  });
  return app;
}
