import type { Tx } from '../sql';

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
