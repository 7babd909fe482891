import { createMiddleware } from 'hono/factory';
import { tokensEqual } from '../domain/api-keys';
import { tenantForApiKey } from '../db/queries/tenants';
import type { Sql } from '../db/sql';
import { HooklineError } from '../domain/errors';

export type TenantEnv = { Variables: { tenantId: string } };

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

/** Tenant routes: a tenant API key (`hk_...`); the tenant it names scopes everything after. */
export function tenantAuth(sql: Sql) {
  return createMiddleware<TenantEnv>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw unauthorized('missing bearer token');
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
