import type { ServiceDeps } from './deps';
import { conflict, notFound } from '../domain/errors';
import { generateApiKey } from '../domain/api-keys';
import * as tenants from '../db/queries/tenants';
import { enqueue, stopEndpointMessages } from '../db/queries/outbox';
import { retryAborted, withTenant, type Sql, type Tx } from '../db/sql';

/** Tenants and their API keys (admin). A key is returned when made and never again. */

export async function createTenant(sql: Sql, input: { id: string; name?: string }): Promise<tenants.Tenant & { apiKey: string }> {
  const apiKey = generateApiKey();
  const tenant = await withTenant(sql, input.id, async (tx) => {
    const created = await tenants.insertTenant(tx, { id: input.id, name: input.name ?? '' });
    if (created) await tenants.insertApiKey(tx, created.id, apiKey);
    return created;
  });
  if (!tenant) throw conflict(`tenant ${input.id} already exists`);
  return { ...tenant, apiKey };
}

/** A page of tenants in id order; `next` is the id to continue after, or null on the last page. */
export async function listTenants(sql: Sql, page: { afterId?: string; limit: number }): Promise<{ tenants: tenants.Tenant[]; next: string | null }> {
  const rows = await tenants.listTenants(sql, { afterId: page.afterId, limit: page.limit + 1 });
  const shown = rows.slice(0, page.limit);
  return { tenants: shown, next: rows.length > page.limit ? shown.at(-1)!.id : null };
}

export async function getTenant(sql: Sql, id: string): Promise<tenants.Tenant> {
  const tenant = await tenants.getTenant(sql, id);
  if (!tenant) throw notFound('tenant');
  return tenant;
}

/**
 * Deletes the tenant with every row it owns, and, in the same transaction, the outbox rows that end
 * its endpoints' workflows and cancel their running deliveries (as deleting one endpoint does).
 */
export async function deleteTenant(deps: ServiceDeps, id: string): Promise<void> {
  const deleted = await retryAborted(() => withTenant(deps.sql, id, async (tx) => {
    const stops = await tenants.endpointsToStop(tx);
    if (!(await tenants.deleteTenant(tx, id))) return false;
    await enqueue(
      tx,
      { tenantId: id, taskQueue: deps.config.temporal.taskQueue },
      stops.flatMap((s) => stopEndpointMessages(s.endpointId, s.deliveryIds)),
    );
    return true;
  }));
  if (!deleted) throw notFound('tenant');
}

/** Runs `fn` under the tenant, or answers 404 when there is no such tenant. */
async function underExistingTenant<T>(sql: Sql, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const found = await withTenant(sql, tenantId, async (tx) => ((await tenants.getTenant(tx, tenantId)) ? { value: await fn(tx) } : null));
  if (!found) throw notFound('tenant');
  return found.value;
}

/** Another live key beside the ones the tenant has, so keys rotate without downtime. */
export async function createApiKey(sql: Sql, tenantId: string): Promise<tenants.ApiKeyRow & { apiKey: string }> {
  const apiKey = generateApiKey();
  const row = await underExistingTenant(sql, tenantId, (tx) => tenants.insertApiKey(tx, tenantId, apiKey));
  return { ...row, apiKey };
}

export function listApiKeys(sql: Sql, tenantId: string): Promise<tenants.ApiKeyRow[]> {
  return underExistingTenant(sql, tenantId, tenants.listApiKeys);
}

/** The key stops working with the next request. */
export async function revokeApiKey(sql: Sql, tenantId: string, keyId: string): Promise<void> {
  if (!(await underExistingTenant(sql, tenantId, (tx) => tenants.deleteApiKey(tx, keyId)))) throw notFound('API key');
}
