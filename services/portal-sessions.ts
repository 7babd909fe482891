import { notFound } from '../domain/errors';
import { generatePortalToken, hashPortalToken, portalTokenKey } from '../domain/portal-sessions';
import * as tenants from '../db/queries/tenants';
import * as sessions from '../db/queries/portal-sessions';
import { withTenant, type Sql } from '../db/sql';

/**
 * Portal sessions (admin makes them): a short-lived credential for one tenant, put in the fragment of
 * a portal link. The portal's script sends it as a bearer token to the same JSON API as a tenant's
 * API key would; an expired or revoked one is refused.
 */

const keys = new WeakMap<Buffer, Buffer>();
function tokenKey(encryptionKey: Buffer): Buffer {
  let key = keys.get(encryptionKey);
  if (!key) keys.set(encryptionKey, (key = portalTokenKey(encryptionKey)));
  return key;
}

export async function createPortalSession(
  sql: Sql,
  encryptionKey: Buffer,
  tenantId: string,
  ttlSeconds: number,
): Promise<sessions.PortalSessionRow & { token: string }> {
  const token = generatePortalToken();
  const row = await withTenant(sql, tenantId, async (tx) => {
    if (!(await tenants.getTenant(tx, tenantId))) return null;
    await sessions.deleteOldPortalSessions(tx);
    return sessions.insertPortalSession(tx, { tenantId, tokenHash: hashPortalToken(tokenKey(encryptionKey), token), ttlSeconds });
  });
  if (!row) throw notFound('tenant');
  return { ...row, token };
}

export async function listPortalSessions(sql: Sql, tenantId: string): Promise<sessions.PortalSessionRow[]> {
  const rows = await withTenant(sql, tenantId, async (tx) => ((await tenants.getTenant(tx, tenantId)) ? sessions.listLivePortalSessions(tx) : null));
  if (!rows) throw notFound('tenant');
  return rows;
}

/** The link stops working with the next request. */
export async function revokePortalSession(sql: Sql, tenantId: string, sessionId: string): Promise<void> {
  if (!(await withTenant(sql, tenantId, (tx) => sessions.revokePortalSession(tx, sessionId)))) throw notFound('portal session');
}

export type PortalSessionCheck = { ok: true; tenantId: string } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export async function checkPortalToken(sql: Sql, encryptionKey: Buffer, token: string): Promise<PortalSessionCheck> {
  const found = await sessions.portalSessionForHash(sql, hashPortalToken(tokenKey(encryptionKey), token));
  if (!found) return { ok: false, reason: 'unknown' };
  if (found.revokedAt) return { ok: false, reason: 'revoked' };
  if (found.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, tenantId: found.tenantId };
}
