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
