import { createRoute, z } from '@hono/zod-openapi';
import * as portal from '../../services/portal-sessions';
import type { ApiDeps } from '../deps';
import { HooklineError, invalid } from '../../domain/errors';
import { describeZodError } from '../errors';
import { errorResponses, json, madeId } from '../schemas';
import { TenantParam } from './tenant-schemas';
import { createRouter } from '../router';

/** Portal links for a tenant (admin, under the tenant routes' auth). */
const security = [{ bearerAuth: [] }];

const CreatePortalSession = z.strictObject({
  ttlSeconds: z.number().int().min(60).max(86_400).optional().openapi({ description: 'Lifetime; default HOOKLINE_PORTAL_SESSION_TTL (1h)' }),
});
export const PortalSessionSchema = z
  .object({ id: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable(), createdAt: z.string() })
  .openapi('PortalSession');
export const PortalSessionCreated = PortalSessionSchema.extend({
  url: z.string().describe('The portal link for this tenant, shown once: link to it or embed it in an iframe. The token is in its fragment'),
}).openapi('PortalSessionCreated');
const SessionParam = TenantParam.extend({ sessionId: madeId(100).openapi({ param: { name: 'sessionId', in: 'path' } }) });

const routes = {
  create: createRoute({
    method: 'post', path: '/{id}/portal-sessions', summary: 'Make a short-lived portal link for the tenant (admin)', security,
    request: { params: TenantParam, body: { ...json(CreatePortalSession), required: false } },
    responses: { 201: { description: 'Created', ...json(PortalSessionCreated) }, ...errorResponses(400, 401, 404, 413) },
  }),
  list: createRoute({
    method: 'get', path: '/{id}/portal-sessions', summary: 'Portal sessions that still work (admin)', security, request: { params: TenantParam },
    responses: { 200: { description: 'Portal sessions', ...json(z.object({ data: z.array(PortalSessionSchema) })) }, ...errorResponses(400, 401, 404) },
  }),
  revoke: createRoute({
    method: 'delete', path: '/{id}/portal-sessions/{sessionId}', summary: 'Revoke a portal link at once (admin)', security,
    request: { params: SessionParam },
    responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 404) },
  }),
};

const view = (s: { id: string; expiresAt: Date; revokedAt: Date | null; createdAt: Date }) => ({
  id: s.id, expiresAt: s.expiresAt.toISOString(), revokedAt: s.revokedAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString(),
});

export function portalSessionRoutes({ sql, config }: ApiDeps) {
  const app = createRouter();

  app.openapi(routes.create, async (c) => {
    const text = (await c.req.text()).trim();
    const parsed = CreatePortalSession.safeParse(text ? safeJson(text) : {});
    if (!parsed.success) throw new HooklineError('invalid_request', describeZodError(parsed.error, 'body'));
    const ttlSeconds = parsed.data.ttlSeconds ?? Math.round(config.portalSessionTtlMs / 1000);
    const session = await portal.createPortalSession(sql, config.encryptionKey, c.req.valid('param').id, ttlSeconds);
    const base = config.publicUrl ?? new URL(c.req.url).origin;
    return c.json({ ...view(session), url: `${base}/portal#session=${session.token}` }, 201);
  });

  app.openapi(routes.list, async (c) => c.json({ data: (await portal.listPortalSessions(sql, c.req.valid('param').id)).map(view) }, 200));

  app.openapi(routes.revoke, async (c) => {
    const { id, sessionId } = c.req.valid('param');
    await portal.revokePortalSession(sql, id, sessionId);
    return c.body(null, 204);
  });
  return app;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('body', 'malformed JSON');
  }
}
