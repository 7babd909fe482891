import { createMiddleware } from 'hono/factory';
import { countRequest, type LimitedAction } from '../db/queries/rate-limits';
import { withTenant, type Sql } from '../db/sql';
import { rateLimited } from '../domain/errors';
import type { TenantEnv } from './auth';

const NAMES: Record<LimitedAction, string> = { test: 'test sends', redeliver: 'redeliveries' };

/** At most `perMinute` of `action` per tenant and minute, across every API process; then 429 with Retry-After. */
export function tenantRateLimit(sql: Sql, action: LimitedAction, perMinute: number) {
  return createMiddleware<TenantEnv>(async (c, next) => {
    const tenantId = c.get('tenantId');
    const { used, resetSeconds } = await withTenant(sql, tenantId, (tx) => countRequest(tx, tenantId, action));
    if (used > perMinute) throw rateLimited(`at most ${perMinute} ${NAMES[action]} a minute for a tenant; retry in ${resetSeconds} s`, resetSeconds);
    await next();
  });
}
