import type { Sql, Tx } from '../sql';

export interface PortalSessionRow {
  id: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = 'id, expires_at, revoked_at, created_at';

export async function insertPortalSession(tx: Tx, s: { tenantId: string; tokenHash: string; ttlSeconds: number }): Promise<PortalSessionRow> {
  const [row] = await tx<PortalSessionRow[]>`
    insert into portal_sessions (tenant_id, token_hash, expires_at)
    values (${s.tenantId}, ${s.tokenHash}, now() + make_interval(secs => ${s.ttlSeconds}))
    returning ${tx.unsafe(COLUMNS)}`;
  return row!;
}

/** The tenant's sessions that still work, newest first. */
export function listLivePortalSessions(tx: Tx): Promise<PortalSessionRow[]> {
  return tx<PortalSessionRow[]>`
    select ${tx.unsafe(COLUMNS)} from portal_sessions where revoked_at is null and expires_at > now()
    order by created_at desc, id limit 100`;
}

/** Null when there is no such session; revoking twice keeps the first time. */
export async function revokePortalSession(tx: Tx, id: string): Promise<PortalSessionRow | null> {
  const [row] = await tx<PortalSessionRow[]>`
    update portal_sessions set revoked_at = coalesce(revoked_at, now()) where id = ${id} returning ${tx.unsafe(COLUMNS)}`;
  return row ?? null;
}

/** Ends sessions that expired more than a day ago (kept that long so an old link still says "expired"). */
export async function deleteOldPortalSessions(tx: Tx): Promise<void> {
  await tx`delete from portal_sessions where expires_at < now() - interval '1 day'`;
}

/** A request's token hash to its tenant and state, before the tenant is known (a definer function). */
export async function portalSessionForHash(
  sql: Sql,
  tokenHash: string,
): Promise<{ tenantId: string; expiresAt: Date; revokedAt: Date | null } | null> {
  const [row] = await sql<{ tenantId: string; expiresAt: Date; revokedAt: Date | null }[]>`
    select tenant_id, expires_at, revoked_at from hookline_portal_session(${tokenHash})`;
  return row ?? null;
}
