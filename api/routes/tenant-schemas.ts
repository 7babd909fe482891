import { z } from '@hono/zod-openapi';
import { PageLimit } from './webhook-schemas';
import type { ApiKeyRow, Tenant } from '../../db/queries/tenants';
import { TENANT_ID_PATTERN, madeId, storableText } from '../schemas';

const tenantId = z.string().regex(TENANT_ID_PATTERN, 'must match ^[A-Za-z0-9_.:-]{1,128}$');

export const CreateTenant = z.strictObject({ id: tenantId, name: storableText(200).optional() });

export const TenantParam = z.object({ id: tenantId.openapi({ param: { name: 'id', in: 'path' } }) });
export const KeyParam = TenantParam.extend({ keyId: madeId(100).openapi({ param: { name: 'keyId', in: 'path' } }) });

export const TenantsQuery = z.strictObject({
  limit: PageLimit,
  cursor: z.string().max(200).optional(),
});

export const TenantSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi('Tenant');
export const TenantCreated = TenantSchema.extend({ apiKey: z.string().describe('Shown once; store it now') }).openapi('TenantCreated');
export const ApiKeySchema = z
  .object({ id: z.string(), prefix: z.literal('hk_'), last4: z.string().nullable().describe('The last characters of the key, to tell keys apart'), createdAt: z.string() })
  .openapi('ApiKey');
export const ApiKeyCreated = ApiKeySchema.extend({ apiKey: z.string().describe('Shown once; store it now') }).openapi('ApiKeyCreated');

export const toTenantView = (t: Tenant) => ({ id: t.id, name: t.name, createdAt: t.createdAt.toISOString() });
export const toApiKeyView = (k: ApiKeyRow) => ({ id: k.id, prefix: 'hk_' as const, last4: k.last4, createdAt: k.createdAt.toISOString() });

/** Opaque page cursors for tenants: the id of the last one shown. */
export const encodeTenantCursor = (id: string) => Buffer.from(`t:${id}`).toString('base64url');
export function decodeTenantCursor(cursor: string): string | null {
  const match = /^t:(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match && TENANT_ID_PATTERN.test(match[1]!) ? match[1]! : null;
}
