import { createRoute } from '@hono/zod-openapi';
import { resolveStatsRange } from '../../domain/stats-range';
import { endpointStats, tenantStats } from '../../services/stats';
import type { TenantEnv } from '../auth';
import type { ApiDeps } from '../deps';
import { createRouter } from '../router';
import { IdParam, errorResponses, json } from '../schemas';
import { tenantOrAdminAuth } from '../tenant-or-admin-auth';
import { EndpointStatsSchema, StatsQuery, TenantStatsSchema } from './stats-schemas';

const security = [{ bearerAuth: [] }];

const routes = {
  endpoint: createRoute({
    method: 'get', path: '/webhooks/{id}/stats', summary: 'Delivery statistics of one endpoint (API key or portal session; or admin token with tenantId)', security,
    request: { params: IdParam, query: StatsQuery },
    responses: { 200: { description: 'Totals, latency and a series for the range', ...json(EndpointStatsSchema) }, ...errorResponses(400, 401, 404) },
  }),
  tenant: createRoute({
    method: 'get', path: '/stats', summary: 'Delivery statistics of the tenant, whole and by endpoint (API key or portal session; or admin token with tenantId)', security,
    request: { query: StatsQuery },
    responses: { 200: { description: 'Totals, latency, a series and each endpoint for the range', ...json(TenantStatsSchema) }, ...errorResponses(400, 401) },
  }),
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const view = <T extends { since: Date; until: Date; series: { start: Date }[] }>(s: T) => ({
  ...s,
  since: s.since.toISOString(),
  until: s.until.toISOString(),
  series: s.series.map((p) => ({ ...p, start: p.start.toISOString() })),
});

/** GET /v1/webhooks/:id/stats and GET /v1/stats: mounted before the webhooks router, whose auth takes no admin token. */
export function statsRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = createRouter<TenantEnv>();
  app.on('GET', ['/webhooks/:id/stats', '/stats'], tenantOrAdminAuth(sql, deps.config.adminToken));

  app.openapi(routes.endpoint, async (c) => {
    const range = resolveStatsRange(c.req.valid('query'), new Date());
    const stats = await endpointStats(sql, c.get('tenantId'), c.req.valid('param').id, range);
    return c.json(view(stats), 200);
  });

  app.openapi(routes.tenant, async (c) => {
    const range = resolveStatsRange(c.req.valid('query'), new Date());
    const stats = await tenantStats(sql, c.get('tenantId'), range);
    const byEndpoint = stats.byEndpoint.map((e) => ({ ...e, lastSuccessAt: iso(e.lastSuccessAt), lastFailureAt: iso(e.lastFailureAt) }));
    return c.json({ ...view(stats), byEndpoint }, 200);
  });
  return app;
}
