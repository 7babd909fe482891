import { createRoute, z } from '@hono/zod-openapi';
import { readRecovery, recoverEndpoint } from '../../services/recoveries';
import { tenantAuth, type TenantEnv } from '../auth';
import type { ApiDeps } from '../deps';
import { errorResponses, IdParam, json } from '../schemas';
import { RecoverWebhook, RecoveryStarted, RecoverySchema, toRecoveryView } from './recovery-schemas';
import { createRouter } from '../router';

const security = [{ bearerAuth: [] }];

const IdempotencyHeader = z.object({
  'idempotency-key': z.string().max(200).optional().openapi({ description: 'Part of the recovery id: the same request with the same key is the same recovery' }),
});

export const recoverRoute = createRoute({
  method: 'post', path: '/{id}/recover', security,
  summary: "Re-send the endpoint's failed and/or skipped deliveries in a time range, oldest first (one per event)",
  request: { params: IdParam, headers: IdempotencyHeader, body: { ...json(RecoverWebhook), required: true } },
  responses: { 202: { description: 'Accepted: the recovery runs in the background', ...json(RecoveryStarted) }, ...errorResponses(400, 401, 404, 409, 413) },
});

const get = createRoute({
  method: 'get', path: '/{id}', summary: "A recovery's progress", security, request: { params: IdParam },
  responses: { 200: { description: 'Recovery', ...json(RecoverySchema) }, ...errorResponses(400, 401, 404) },
});

/** POST /v1/webhooks/:id/recover, mounted by the webhook routes (which authenticate the tenant). */
export function recoverRoutes(deps: ApiDeps) {
  const app = createRouter<TenantEnv>();
  app.openapi(recoverRoute, async (c) => {
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const recoveryId = await recoverEndpoint(deps, c.get('tenantId'), c.req.valid('param').id, { ...c.req.valid('json'), idempotencyKey });
    return c.json({ recoveryId }, 202);
  });
  return app;
}

/** GET /v1/recoveries/:id (tenant). */
export function recoveryRoutes(deps: ApiDeps) {
  const app = createRouter<TenantEnv>();
  app.use('*', tenantAuth(deps.sql));

  app.openapi(get, async (c) => c.json(toRecoveryView(await readRecovery(deps, c.get('tenantId'), c.req.valid('param').id)), 200));
  return app;
}
