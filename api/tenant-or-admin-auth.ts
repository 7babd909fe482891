import { createMiddleware } from 'hono/factory';
import { invalid } from '../domain/errors';
import type { Sql } from '../db/sql';
import { adminAuth, hasTenantCredential, tenantAuth, type TenantEnv } from './auth';
import { TENANT_ID_PATTERN } from './schemas';

/**
 * Reads a tenant may make of its own rows and the operator of anyone's: a tenant API key (`hk_...`)
 * or portal session (`pst_...`) scopes to its tenant, as `tenantAuth`; the admin token needs `?tenantId=` to say whose rows (ids
 * are unique per tenant only), and then reads them under that tenant's row-level security.
 */
export function tenantOrAdminAuth(sql: Sql, adminToken: string | undefined) {
  const asTenant = tenantAuth(sql);
  const asAdmin = adminAuth(adminToken);
  return createMiddleware<TenantEnv>(async (c, next) => {
    const tenantId = c.req.query('tenantId');
    if (hasTenantCredential(c.req.header('authorization'))) {
      if (tenantId !== undefined) throw invalid('tenantId', 'only with the admin token (an API key reads its own tenant)');
      return asTenant(c, next);
    }
    return asAdmin(c, async () => {
      if (!tenantId) throw invalid('tenantId', 'required with the admin token');
      if (!TENANT_ID_PATTERN.test(tenantId)) throw invalid('tenantId', 'must match ^[A-Za-z0-9_.:-]{1,128}$');
      c.set('tenantId', tenantId);
      await next();
    });
  });
}
