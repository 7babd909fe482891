import { hashApiKey } from '../../domain/api-keys';
import type { Sql, Tx } from '../sql';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

/** An API key as it may be shown: never the key, nor its hash. */
export interface ApiKeyRow {
  id: string;
  last4: string | null;
  createdAt: Date;
}

/** Null when a tenant with this id exists already. */
export async function insertTenant(tx: Tx, t: { id: string; name: string }): Promise<Tenant | null> {
  const [tenant] = await tx<Tenant[]>`
    insert into tenants (id, name) values (${t.id}, ${t.name}) on conflict (id) do nothing returning id, name, created_at`;
  return tenant ?? null;
}

/** The tenants registry holds no secret, so the app reads it directly (tenant-owned rows stay under RLS). */
export function listTenants(sql: Sql, page: { afterId?: string; limit: number }): Promise<Tenant[]> {
  return sql<Tenant[]>`
    select id, name, created_at from tenants where id > ${page.afterId ?? ''} order by id limit ${page.limit}`;
}

export async function getTenant(sql: Sql | Tx, id: string): Promise<Tenant | null> {
  const [tenant] = await sql<Tenant[]>`select id, name, created_at from tenants where id = ${id}`;
  return tenant ?? null;
}

/** The tenant's endpoints with their pending deliveries: what must be stopped in Temporal when it goes. */
export function endpointsToStop(tx: Tx): Promise<{ endpointId: string; deliveryIds: string[] }[]> {
  return tx<{ endpointId: string; deliveryIds: string[] }[]>`
    select e.id as endpoint_id, coalesce(array_agg(d.id) filter (where d.id is not null), '{}') as delivery_ids
    from endpoints e left join deliveries d on d.endpoint_id = e.id and d.status = 'pending'
    group by e.id order by e.id`;
}

/** Deletes the tenant set for this transaction and, by cascade, every row it owns. */
export async function deleteTenant(tx: Tx, id: string): Promise<boolean> {
  const [row] = await tx<{ deleted: boolean }[]>`select hookline_delete_tenant(${id}) as deleted`;
  return row!.deleted;
}

export async function insertApiKey(tx: Tx, tenantId: string, apiKey: string): Promise<ApiKeyRow> {
  const [row] = await tx<ApiKeyRow[]>`
    insert into api_keys (key_hash, tenant_id, last4) values (${hashApiKey(apiKey)}, ${tenantId}, ${apiKey.slice(-4)})
    returning id, last4, created_at`;
  return row!;
}

export function listApiKeys(tx: Tx): Promise<ApiKeyRow[]> {
  return tx<ApiKeyRow[]>`select id, last4, created_at from api_keys order by created_at, id`;
}

export async function deleteApiKey(tx: Tx, id: string): Promise<boolean> {
  return (await tx`delete from api_keys where id = ${id}`).count > 0;
}

/** The one lookup across tenants, before the tenant is known: a narrow SECURITY DEFINER function. */
export async function tenantForApiKey(sql: Sql, apiKey: string): Promise<string | null> {
  const [row] = await sql<{ tenantId: string | null }[]>`select hookline_tenant_for_api_key(${hashApiKey(apiKey)}) as tenant_id`;
  return row?.tenantId ?? null;
}
