import { hashApiKey } from '../../domain/api-keys';
import type { Sql, Tx } from '../sql';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

/** Null when a tenant with this id exists already. */
export async function insertTenant(tx: Tx, t: { id: string; name: string }): Promise<Tenant | null> {
  const [tenant] = await tx<Tenant[]>`
    insert into tenants (id, name) values (${t.id}, ${t.name}) on conflict (id) do nothing returning id, name, created_at`;
  return tenant ?? null;
}

export async function insertApiKey(tx: Tx, tenantId: string, keyHash: string): Promise<void> {
  await tx`insert into api_keys (key_hash, tenant_id) values (${keyHash}, ${tenantId})`;
}

/** The one lookup across tenants: runs as the connecting role, which owns the tables. */
export async function tenantForApiKey(sql: Sql, apiKey: string): Promise<string | null> {
  const [row] = await sql<{ tenantId: string }[]>`select tenant_id from api_keys where key_hash = ${hashApiKey(apiKey)}`;
  return row?.tenantId ?? null;
}
