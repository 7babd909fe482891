import { generateApiKey, hashApiKey } from '../../domain/api-keys';
import { withTenant, type Sql } from '../sql';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export class TenantExistsError extends Error {}

/** Creates a tenant and its API key; the key is returned here and never again. */
export async function createTenant(sql: Sql, input: { id: string; name?: string }): Promise<Tenant & { apiKey: string }> {
  const apiKey = generateApiKey();
  const [tenant] = await sql<Tenant[]>`
    insert into tenants (id, name) values (${input.id}, ${input.name ?? ''})
    on conflict (id) do nothing returning id, name, created_at`;
  if (!tenant) throw new TenantExistsError(input.id);
  await withTenant(sql, tenant.id, (tx) => tx`insert into api_keys (key_hash, tenant_id) values (${hashApiKey(apiKey)}, ${tenant.id})`);
  return { ...tenant, apiKey };
}

/** The one lookup across tenants: runs as the connecting role, which owns the tables. */
export async function tenantForApiKey(sql: Sql, apiKey: string): Promise<string | null> {
  const [row] = await sql<{ tenantId: string }[]>`select tenant_id from api_keys where key_hash = ${hashApiKey(apiKey)}`;
  return row?.tenantId ?? null;
}
