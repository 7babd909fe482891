import { conflict } from '../domain/errors';
import { generateApiKey, hashApiKey } from '../domain/api-keys';
import { insertApiKey, insertTenant, type Tenant } from '../db/queries/tenants';
import { withTenant, type Sql } from '../db/sql';

/** Creates a tenant and its API key in one transaction; the key is returned here and never again. */
export async function createTenant(sql: Sql, input: { id: string; name?: string }): Promise<Tenant & { apiKey: string }> {
  const apiKey = generateApiKey();
  const tenant = await withTenant(sql, input.id, async (tx) => {
    const created = await insertTenant(tx, { id: input.id, name: input.name ?? '' });
    if (created) await insertApiKey(tx, created.id, hashApiKey(apiKey));
    return created;
  });
  if (!tenant) throw conflict(`tenant ${input.id} already exists`);
  return { ...tenant, apiKey };
}
