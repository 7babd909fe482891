import { rateLimited } from '../domain/errors';
import { UnknownTenantError } from '../db/queries/events';
import { takePublishToken } from '../db/queries/rate-limits';
import { tenantPublishLimit } from '../db/queries/tenant-settings';
import { withTenant } from '../db/sql';
import type { ServiceDeps } from './deps';

/** A tenant's own limit is read again after this long: a changed setting applies within it. */
export const PUBLISH_LIMIT_CACHE_MS = 5_000;
const CACHE_MAX_TENANTS = 10_000;

/**
 * The per-tenant publish limit (tenant setting over HOOKLINE_PUBLISH_RATE_PER_SECOND): a token
 * bucket in Postgres, so every API process counts against one budget. A tenant without a limit
 * costs no query but the cached read of its setting.
 */
export function createPublishLimiter(deps: ServiceDeps, now: () => number = Date.now) {
  const cache = new Map<string, { perSecond: number; until: number }>();

  async function limitOf(tenantId: string): Promise<number> {
    const hit = cache.get(tenantId);
    if (hit && hit.until > now()) return hit.perSecond;
    const own = await withTenant(deps.sql, tenantId, tenantPublishLimit);
    const perSecond = own ?? deps.config.publishPerSecond;
    if (cache.size >= CACHE_MAX_TENANTS) cache.clear();
    cache.set(tenantId, { perSecond, until: now() + PUBLISH_LIMIT_CACHE_MS });
    return perSecond;
  }

  return {
    /** Counts one publish for the tenant; throws a rate_limited HooklineError (with its retry time) when over its limit. */
    async take(tenantId: string): Promise<void> {
      const perSecond = await limitOf(tenantId);
      if (perSecond <= 0) return;
      const taken = await withTenant(deps.sql, tenantId, (tx) => takePublishToken(tx, tenantId, perSecond)).catch((err: unknown) => {
        // No such tenant: the publish itself answers that with its 404.
        if (err instanceof UnknownTenantError) return undefined;
        throw err;
      });
      if (!taken) return;
      const { granted, retryAfterSeconds } = taken;
      if (!granted) throw rateLimited(`at most ${perSecond} events a second for this tenant; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
    },
  };
}
