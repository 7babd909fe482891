import type { Tx } from '../sql';
import { UnknownTenantError } from './events';

export type LimitedAction = 'test' | 'redeliver';

/**
 * Counts one request in the tenant's current one-minute window for `action` (a fixed window: the
 * row lock makes concurrent API processes count one after another) and says when the window ends.
 */
export async function countRequest(tx: Tx, tenantId: string, action: LimitedAction): Promise<{ used: number; resetSeconds: number }> {
  const [row] = await tx<{ used: number; resetSeconds: number }[]>`
    insert into tenant_rate_limits as r (tenant_id, action, window_start, used)
    values (${tenantId}, ${action}, date_trunc('minute', now()), 1)
    on conflict (tenant_id, action) do update set
      used = case when r.window_start = excluded.window_start then r.used + 1 else 1 end,
      window_start = excluded.window_start
    returning used, greatest(1, ceil(extract(epoch from window_start + interval '1 minute' - now())))::int as reset_seconds`;
  return row!;
}

/**
 * Takes one token from the tenant's publish bucket, refilled at `perSecond` and holding at most one
 * second's worth (at least one token); the row lock makes concurrent API processes take in turn.
 * Refused: how many seconds until a token is there. UnknownTenantError when the tenant does not exist.
 */
export async function takePublishToken(tx: Tx, tenantId: string, perSecond: number): Promise<{ granted: boolean; retryAfterSeconds: number }> {
  const capacity = Math.max(1, perSecond);
  const [row] = await tx<{ granted: boolean; tokens: number }[]>`
    insert into tenant_publish_buckets as b (tenant_id, tokens, refilled_at, granted)
    values (${tenantId}, ${capacity - 1}, now(), true)
    on conflict (tenant_id) do update set
      tokens = least(${capacity}::float8, b.tokens + extract(epoch from now() - b.refilled_at) * ${perSecond}::float8)
        - case when least(${capacity}::float8, b.tokens + extract(epoch from now() - b.refilled_at) * ${perSecond}::float8) >= 1 then 1 else 0 end,
      granted = least(${capacity}::float8, b.tokens + extract(epoch from now() - b.refilled_at) * ${perSecond}::float8) >= 1,
      refilled_at = now()
    returning granted, tokens`.catch((err: unknown) => {
    if ((err as { code?: string }).code === '23503') throw new UnknownTenantError(tenantId);
    throw err;
  });
  return { granted: row!.granted, retryAfterSeconds: row!.granted ? 0 : Math.max(1, Math.ceil((1 - row!.tokens) / perSecond)) };
}

/**
 * What is left of the tenant's redeliveries in the current window, for a recovery about to queue a
 * batch (it then counts what it queued with countRedeliveries, in the same transaction: the row lock
 * taken here keeps concurrent recoveries and API redeliveries from spending the same budget).
 */
export async function redeliverBudget(tx: Tx, tenantId: string, perMinute: number): Promise<{ left: number; resetMs: number }> {
  const [row] = await tx<{ used: number; resetMs: number }[]>`
    insert into tenant_rate_limits as r (tenant_id, action, window_start, used)
    values (${tenantId}, 'redeliver', date_trunc('minute', now()), 0)
    on conflict (tenant_id, action) do update set
      used = case when r.window_start = excluded.window_start then r.used else 0 end,
      window_start = excluded.window_start
    returning used, greatest(250, ceil(extract(epoch from window_start + interval '1 minute' - now()) * 1000))::int as reset_ms`;
  return { left: perMinute - row!.used, resetMs: row!.resetMs };
}

export async function countRedeliveries(tx: Tx, tenantId: string, n: number): Promise<void> {
  if (n > 0) await tx`update tenant_rate_limits set used = used + ${n} where tenant_id = ${tenantId} and action = 'redeliver'`;
}
