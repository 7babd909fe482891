import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../domain/errors';
import { setTenantRetention } from '../../db/queries/retention';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { TenantParam, TenantSchema } from './tenant-schemas';
import { createRouter } from '../router';

/** A tenant's retention override (admin, under the tenant routes' auth). */

const UpdateTenant = z.strictObject({
  retentionDays: z
    .number()
    .int('must be a whole number of days')
    .min(0, 'must be from 0 (keep forever) to 36500')
    .max(36_500, 'must be from 0 (keep forever) to 36500')
    .nullable()
    .openapi({ description: 'Days of events, deliveries and attempts to keep; 0 keeps forever; null follows HOOKLINE_RETENTION_DAYS' }),
});

const TenantWithRetention = TenantSchema.extend({
  retentionDays: z.number().int().nullable().describe('The override; null follows the deployment default'),
  effectiveRetentionDays: z.number().int().describe('What the purge applies; 0 keeps forever'),
}).openapi('TenantWithRetention');

const update = createRoute({
  method: 'patch', path: '/{id}', summary: 'Set a tenant’s retention override (admin)', security: [{ bearerAuth: [] }],
  request: { params: TenantParam, body: { ...json(UpdateTenant), required: true } },
  responses: { 200: { description: 'Tenant', ...json(TenantWithRetention) }, ...errorResponses(400, 401, 404, 413) },
});

export function tenantRetentionRoutes({ sql, config }: ApiDeps) {
  const app = createRouter();
  app.openapi(update, async (c) => {
    const row = await setTenantRetention(sql, c.req.valid('param').id, c.req.valid('json').retentionDays);
    if (!row) throw notFound('tenant');
    return c.json({
      id: row.id,
      name: row.name,
      createdAt: row.createdAt.toISOString(),
      retentionDays: row.retentionDays,
      effectiveRetentionDays: row.retentionDays ?? config.retention.days,
    }, 200);
  });
  return app;
}
