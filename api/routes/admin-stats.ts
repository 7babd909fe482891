import { createRoute } from '@hono/zod-openapi';
import { deploymentStats } from '../../services/stats';
import { workflowIds } from '../../temporal/workflows/types';
import type { ApiDeps } from '../deps';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';
import { AdminStatsSchema } from './stats-schemas';

const route = createRoute({
  method: 'get', path: '/stats', summary: 'The deployment now: backlog, the last hour by status, failing and disabled endpoints (admin)',
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'The deployment’s figures', ...json(AdminStatsSchema) }, ...errorResponses(401) },
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** GET /v1/admin/stats: mounted by the admin router, behind its admin auth. */
export function adminStatsRoutes({ sql, config }: ApiDeps) {
  const app = createRouter();
  const workflowUrl = (endpointId: string) =>
    config.temporalUiUrl
      ? `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowIds.endpoint(endpointId))}`
      : null;
  app.openapi(route, async (c) => {
    const s = await deploymentStats(sql, new Date());
    return c.json(
      {
        ...s,
        at: s.at.toISOString(),
        throughput: s.throughput.map((p) => ({ ...p, start: p.start.toISOString() })),
        failingEndpoints: s.failingEndpoints.map((e) => ({ ...e, workflowUrl: workflowUrl(e.id) })),
        recentlyDisabled: s.recentlyDisabled.map((e) => ({
          id: e.id, tenantId: e.tenantId, url: e.url, enabled: e.enabled, consecutiveFailures: e.consecutiveFailures,
          disabledAt: iso(e.disabledAt), disabledReason: e.disabledReason, workflowUrl: workflowUrl(e.id),
        })),
      },
      200,
    );
  });
  return app;
}
