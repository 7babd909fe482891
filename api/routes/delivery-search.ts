import { createRoute, z } from '@hono/zod-openapi';
import { invalid } from '../../domain/errors';
import { searchDeliveries } from '../../db/queries/search';
import { withTenant } from '../../db/sql';
import type { TenantEnv } from '../auth';
import { decodeCursor, encodeCursor } from '../cursor';
import type { ApiDeps } from '../deps';
import { DeliverySchema, errorResponses, toDeliveryView } from '../schemas';
import { DeliverySearchQuery, checkWindow } from './search-schemas';
import { createRouter } from '../router';

const search = createRoute({
  method: 'get', path: '/', summary: 'Deliveries across the tenant’s endpoints, newest first, filtered', security: [{ bearerAuth: [] }],
  request: { query: DeliverySearchQuery },
  responses: {
    200: { description: 'A page of deliveries', content: { 'application/json': { schema: z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }) } } },
    ...errorResponses(400, 401),
  },
});

/** GET /v1/deliveries: mounted by the deliveries router, behind its tenant auth. */
export function deliverySearchRoutes(deps: ApiDeps) {
  const app = createRouter<TenantEnv>();
  app.openapi(search, async (c) => {
    const { cursor, limit, ...filters } = c.req.valid('query');
    checkWindow(filters);
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    if (before === null) throw invalid('cursor', 'not a cursor from this API');
    const tenantId = c.get('tenantId');
    const page = await withTenant(deps.sql, tenantId, (tx) => searchDeliveries(tx, tenantId, { ...filters, limit: limit ?? 20, before }));
    return c.json({ data: page.rows.map(toDeliveryView), nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  });
  return app;
}
