import { createRoute, z } from '@hono/zod-openapi';
import * as tenants from '../../services/tenants';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { ApiKeyCreated, ApiKeySchema, KeyParam, TenantParam, toApiKeyView } from './tenant-schemas';
import { createRouter } from '../router';

/** A tenant's API keys (admin, under the tenant routes' auth): several live at once, so rotation has no downtime. */
const security = [{ bearerAuth: [] }];

const routes = {
  create: createRoute({
    method: 'post', path: '/{id}/api-keys', summary: 'Add an API key; the answer holds it, shown this once (admin)', security,
    request: { params: TenantParam },
    responses: { 201: { description: 'Created', ...json(ApiKeyCreated) }, ...errorResponses(400, 401, 404) },
  }),
  list: createRoute({
    method: 'get', path: '/{id}/api-keys', summary: 'List API keys: ids and last characters, never a key (admin)', security,
    request: { params: TenantParam },
    responses: { 200: { description: 'API keys', ...json(z.object({ data: z.array(ApiKeySchema) })) }, ...errorResponses(400, 401, 404) },
  }),
  revoke: createRoute({
    method: 'delete', path: '/{id}/api-keys/{keyId}', summary: 'Revoke an API key at once (admin)', security,
    request: { params: KeyParam },
    responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 404) },
  }),
};

export function tenantApiKeyRoutes({ sql }: ApiDeps) {
  const app = createRouter();

  app.openapi(routes.create, async (c) => {
    const key = await tenants.createApiKey(sql, c.req.valid('param').id);
    return c.json({ ...toApiKeyView(key), apiKey: key.apiKey }, 201);
  });

  app.openapi(routes.list, async (c) => c.json({ data: (await tenants.listApiKeys(sql, c.req.valid('param').id)).map(toApiKeyView) }, 200));

  app.openapi(routes.revoke, async (c) => {
    const { id, keyId } = c.req.valid('param');
    await tenants.revokeApiKey(sql, id, keyId);
    return c.body(null, 204);
  });

  return app;
}
