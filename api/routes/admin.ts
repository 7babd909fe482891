import { createRoute, z } from '@hono/zod-openapi';
import { findDeliveries, troubledEndpoints } from '../../db/queries/admin';
import { CIRCUIT_STATES } from '../../domain/circuit';
import { workflowIds } from '../../temporal/workflows/types';
import { adminAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { createRouter } from '../router';
import { adminStatsRoutes } from './admin-stats';

/** The operator console's reads across tenants (admin): troubled endpoints, a delivery by any id. */
const security = [{ bearerAuth: [] }];

export const AdminEndpoint = z
  .object({
    id: z.string(), tenantId: z.string(), url: z.string(), enabled: z.boolean(), consecutiveFailures: z.number().int(),
    disabledAt: z.string().nullable(), disabledReason: z.string().nullable(), updatedAt: z.string(),
    circuit: z.object({ state: z.enum(CIRCUIT_STATES), nextProbeAt: z.string().nullable() }).openapi({ description: 'The endpoint\'s circuit breaker' }),
  })
  .openapi('AdminEndpoint');
export const AdminDelivery = z
  .object({
    id: z.string(), tenantId: z.string(), endpointId: z.string(), eventId: z.string(), kind: z.string(), status: z.string(),
    attemptCount: z.number().int(), lastAttemptAt: z.string().nullable(), nextRetryAt: z.string().nullable(), createdAt: z.string(),
    workflowId: z.string(),
    workflowUrl: z.string().nullable().describe('The delivery workflow in the Temporal Web UI (HOOKLINE_TEMPORAL_UI_URL), when set'),
  })
  .openapi('AdminDelivery');

const routes = {
  endpoints: createRoute({
    method: 'get', path: '/endpoints', summary: 'Failing and disabled endpoints across tenants (admin)', security,
    request: { query: z.strictObject({ state: z.enum(['failing', 'disabled']).optional().openapi({ description: 'failing (the default) includes the disabled ones' }) }) },
    responses: { 200: { description: 'Endpoints, most recently changed first (at most 200)', ...json(z.object({ data: z.array(AdminEndpoint) })) }, ...errorResponses(400, 401) },
  }),
  deliveries: createRoute({
    method: 'get', path: '/deliveries', summary: 'Deliveries across tenants by delivery, event or endpoint id (admin)', security,
    request: { query: z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'not an id Hookline made') }) },
    responses: { 200: { description: 'Deliveries, newest first (at most 50)', ...json(z.object({ data: z.array(AdminDelivery) })) }, ...errorResponses(400, 401) },
  }),
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function adminRoutes(deps: ApiDeps) {
  const { sql, config } = deps;
  const app = createRouter();
  app.use('*', adminAuth(config.adminToken));
  const workflowUrl = (workflowId: string) =>
    config.temporalUiUrl
      ? `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`
      : null;

  app.openapi(routes.endpoints, async (c) => {
    const rows = await troubledEndpoints(sql, { onlyDisabled: c.req.valid('query').state === 'disabled', limit: 200 });
    const data = rows.map(({ circuitState, circuitNextProbeAt, ...r }) => ({
      ...r,
      disabledAt: iso(r.disabledAt),
      updatedAt: r.updatedAt.toISOString(),
      circuit: { state: circuitState, nextProbeAt: iso(circuitNextProbeAt) },
    }));
    return c.json({ data }, 200);
  });

  app.openapi(routes.deliveries, async (c) => {
    const rows = await findDeliveries(sql, c.req.valid('query').id, 50);
    const data = rows.map((r) => {
      const workflowId = workflowIds.delivery(r.id);
      return { ...r, lastAttemptAt: iso(r.lastAttemptAt), nextRetryAt: iso(r.nextRetryAt), createdAt: r.createdAt.toISOString(), workflowId, workflowUrl: workflowUrl(workflowId) };
    });
    return c.json({ data }, 200);
  });
  app.route('/', adminStatsRoutes(deps));
  return app;
}
