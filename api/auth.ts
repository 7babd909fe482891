import { createMiddleware } from 'hono/factory';
import { tokensEqual } from '../domain/api-keys';
import { tenantForApiKey } from '../db/queries/tenants';
import type { Sql } from '../db/sql';
import { HooklineError } from '../domain/errors';
import { isPortalToken } from '../domain/portal-sessions';
import { checkPortalToken } from '../services/portal-sessions';

export type TenantEnv = { Variables: { tenantId: string; portalEncryptionKey?: Buffer } };

function bearer(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

const unauthorized = (message: string) => new HooklineError('unauthorized', message);

/** Admin routes: `Authorization: Bearer $HOOKLINE_ADMIN_TOKEN`, compared in constant time. */
export function adminAuth(adminToken: string | undefined) {
  return createMiddleware(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw unauthorized('missing bearer token');
    if (!adminToken || !tokensEqual(token, adminToken)) throw unauthorized('invalid admin token');
    await next();
  });
}

/** Set once for the whole app (createApp), so every tenantAuth(sql) also takes portal session tokens. */
export function portalSessionKey(encryptionKey: Buffer) {
  return createMiddleware<TenantEnv>(async (c, next) => {
    c.set('portalEncryptionKey', encryptionKey);
    await next();
  });
}

const PORTAL_REFUSALS = { unknown: 'invalid portal link', expired: 'portal link expired', revoked: 'portal link revoked' };

/** The request carries a tenant's kind of credential (an API key or a portal session), not the admin token. */
export function hasTenantCredential(authorization: string | undefined): boolean {
  const token = bearer(authorization);
  return token !== null && (token.startsWith('hk_') || isPortalToken(token));
}

/**
 * Tenant routes: a tenant API key (`hk_...`), or a live portal session token (`pst_...`, what the
 * portal pages send); the tenant it names scopes everything after.
 */
export function tenantAuth(sql: Sql) {
  return createMiddleware<TenantEnv>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw unauthorized('missing bearer token');
    const portalKey = c.get('portalEncryptionKey');
    if (portalKey && isPortalToken(token)) {
      const session = await checkPortalToken(sql, portalKey, token);
      if (!session.ok) throw unauthorized(PORTAL_REFUSALS[session.reason]);
      c.set('tenantId', session.tenantId);
      return next();
    }
    const tenantId = token.startsWith('hk_') && token.length < 200 ? await tenantForApiKey(sql, token) : null;
    if (!tenantId) throw unauthorized('invalid API key');
    c.set('tenantId', tenantId);
    await next();
  });
}

/** /metrics: open unless `HOOKLINE_METRICS_TOKEN` is set, then that bearer token, compared in constant time. */
export function metricsAuth(metricsToken: string | undefined) {
  return createMiddleware(async (c, next) => {
    if (metricsToken) {
      const token = bearer(c.req.header('authorization'));
      if (!token) throw unauthorized('missing bearer token');
      if (!tokensEqual(token, metricsToken)) throw unauthorized('invalid metrics token');
    }
    await next();
  });
}
