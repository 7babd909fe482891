import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../domain/errors';
import { getDelivery, listAttempts } from '../../db/queries/deliveries';
import { redeliver as redeliverOne } from '../../services/deliveries';
import { withTenant } from '../../db/sql';
import { tenantAuth, type TenantEnv } from '../auth';
import type { ApiDeps } from '../deps';
import { tenantRateLimit } from '../rate-limit';
import { deliverySearchRoutes } from './delivery-search';
import { DeliveryWithAttemptsSchema, IdParam, errorResponses, toAttemptView, toDeliveryView } from '../schemas';
import { createRouter } from '../router';

const security = [{ bearerAuth: [] }];

const get = createRoute({
  method: 'get', path: '/{id}', summary: 'A delivery with its attempts', security, request: { params: IdParam },
  responses: { 200: { description: 'Delivery', content: { 'application/json': { schema: DeliveryWithAttemptsSchema } } }, ...errorResponses(400, 401, 404) },
});

const redeliver = createRoute({
  method: 'post', path: '/{id}/redeliver', summary: 'Send the same event to the same endpoint again (same webhook-id)', security,
  request: { params: IdParam },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: z.object({ deliveryId: z.string() }) } } },
    ...errorResponses(400, 401, 404, 413, 429),
  },
});

export function deliveryRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = createRouter<TenantEnv>();
  app.use('*', tenantAuth(sql));
  app.route('/', deliverySearchRoutes(deps));

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const found = await withTenant(sql, c.get('tenantId'), async (tx) => {
      const delivery = await getDelivery(tx, id);
      return delivery && { delivery, attempts: await listAttempts(tx, id) };
    });
    if (!found) throw notFound('delivery');
    return c.json({ ...toDeliveryView(found.delivery), attempts: found.attempts.map(toAttemptView) }, 200);
  });

  app.on('POST', '/:id/redeliver', tenantRateLimit(sql, 'redeliver', deps.config.tenantRatePerMinute.redeliver));
  app.openapi(redeliver, async (c) => {
    const deliveryId = await redeliverOne(deps, c.get('tenantId'), c.req.valid('param').id);
    return c.json({ deliveryId }, 202);
  });
  return app;
}
