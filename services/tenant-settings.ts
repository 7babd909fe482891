import { notFound } from '../domain/errors';
import { effectiveCircuit, effectiveSettings, type TenantSettings } from '../domain/tenant-settings';
import { getTenant } from '../db/queries/tenants';
import { getTenantSettings, saveTenantSettings } from '../db/queries/tenant-settings';
import { withTenant } from '../db/sql';
import type { ServiceDeps } from './deps';

/** A tenant's settings (admin): what it set, and what applies once the deployment's defaults fill the rest. */
export async function readTenantSettings(deps: ServiceDeps, tenantId: string) {
  const settings = await withTenant(deps.sql, tenantId, async (tx) => ((await getTenant(tx, tenantId)) ? getTenantSettings(tx) : null));
  if (!settings) throw notFound('tenant');
  return withEffective(deps, settings);
}

/** Changes the settings given (a field absent stays, null goes back to the deployment's default). */
export async function updateTenantSettings(deps: ServiceDeps, tenantId: string, patch: Partial<TenantSettings>) {
  const saved = await withTenant(deps.sql, tenantId, async (tx) => {
    if (!(await getTenant(tx, tenantId))) return null;
    const before = await getTenantSettings(tx);
    return saveTenantSettings(tx, tenantId, { ...before, ...patch });
  });
  if (!saved) throw notFound('tenant');
  return withEffective(deps, saved);
}

function withEffective(deps: ServiceDeps, settings: TenantSettings) {
  const { legacySignatureHeader, retryScheduleMs, disableAfterFailures, publishPerSecond } = deps.config;
  return {
    settings,
    effective: effectiveSettings(settings, { legacySignatureHeader, retryScheduleMs, disableAfterFailures, publishPerSecond }),
    circuit: effectiveCircuit(settings, deps.config.circuit),
  };
}
