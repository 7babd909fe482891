import type { Config } from '../../infra/config';
import type { Tx } from '../sql';
import { emitOperatorEvent } from './operator';
import { countRedeliveries, redeliverBudget } from './rate-limits';

/** A bulk recovery of one endpoint's failed or skipped deliveries (POST /v1/webhooks/:id/recover). */
export interface RecoveryRow {
  id: string;
  endpointId: string;
  since: Date;
  until: Date;
  statuses: string[];
  status: 'running' | 'completed' | 'failed';
  error: string | null;
  matched: number;
  queued: number;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

/** Its redeliveries by status, so progress shows what was re-sent, not only what was queued. */
export type RecoveryProgress = RecoveryRow & { succeeded: number; failed: number; pending: number };

const COLUMNS = 'id, endpoint_id, since, until, statuses, status, error, matched, queued, created_at, updated_at, completed_at';

/**
 * Stores a recovery, unless the same request was stored before or the endpoint has one running (one
 * at a time: overlapping ones would queue the same events again, and a storm of requests would
 * multiply the sends). Answers the id that stands for the request and whether it is new.
 */
export async function insertRecovery(
  tx: Tx,
  r: { id: string; tenantId: string; endpointId: string; since: Date; until: Date; statuses: string[] },
): Promise<{ id: string; created: boolean }> {
  for (;;) {
    // No conflict target: the primary key (the same request) and recoveries_one_running (another runs).
    const rows = await tx`
      insert into recoveries (id, tenant_id, endpoint_id, since, until, statuses)
      values (${r.id}, ${r.tenantId}, ${r.endpointId}, ${r.since}, ${r.until}, ${r.statuses}::text[])
      on conflict do nothing returning id`;
    if (rows.length > 0) return { id: r.id, created: true };
    const [found] = await tx<{ id: string }[]>`
      select id from recoveries where id = ${r.id} or (endpoint_id = ${r.endpointId} and status = 'running')
      order by (id = ${r.id}) desc limit 1`;
    // Else the running one finished between the two statements: try again.
    if (found) return { id: found.id, created: false };
  }
}

export async function getRecovery(tx: Tx, id: string): Promise<RecoveryProgress | null> {
  const [row] = await tx<RecoveryProgress[]>`
    select ${tx.unsafe(COLUMNS)},
      (select count(*) from deliveries d where d.recovery_id = r.id and d.status = 'success')::int as succeeded,
      (select count(*) from deliveries d where d.recovery_id = r.id and d.status = 'failed')::int as failed,
      (select count(*) from deliveries d where d.recovery_id = r.id and d.status = 'pending')::int as pending
    from recoveries r where r.id = ${id}`;
  return row ?? null;
}

export interface BatchResult {
  /** The recovery ended (completed, failed, or its endpoint is gone): nothing more to do. */
  done: boolean;
  /** Nothing was queued: the endpoint has this many deliveries pending already; look again later. */
  waitMs?: number;
  queued: number;
}

/**
 * How long a recovery waits before looking again at an endpoint with too many deliveries pending: a
 * quarter of the time it has been waiting already, from 250 ms to 30 s, so a slow (rate-limited,
 * FIFO, paused) endpoint is not polled four times a second for hours.
 */
const BUSY_WAIT_MS = 250;
const BUSY_WAIT_MAX_MS = 30_000;

export interface BatchLimits {
  config: Pick<Config, 'temporal' | 'operatorWebhook'>;
  batchSize: number;
  /** Flow control: no new batch while the endpoint has this many deliveries pending. */
  maxPending: number;
  /** The tenant's redeliveries a minute (HOOKLINE_TENANT_REDELIVER_RATE), which recovery sends count against. */
  redeliverPerMinute: number;
}

// Cursor times travel as text (`::text::timestamptz`): postgres.js sends a timestamptz parameter
// through a JS Date, which would cut the microseconds and make the keyset repeat rows.

/**
 * One step of a recovery, in the caller's transaction: the next matching deliveries, oldest first
 * from the stored cursor, become redeliveries with their outbox rows, and the cursor and counts move
 * on. A repeated step (a retried activity, a resumed workflow) starts from the cursor it committed,
 * and (recovery_id, event_id) is unique, so no event is queued twice by one recovery.
 */
export async function recoverBatch(tx: Tx, recoveryId: string, limits: BatchLimits): Promise<BatchResult> {
  const [r] = await tx<(RecoveryRow & { tenantId: string; cursorCreatedAt: string | null; cursorId: string | null; enabled: boolean; url: string; stalledMs: number })[]>`
    select r.id, r.tenant_id, r.endpoint_id, r.since, r.until, r.statuses, r.status, r.matched, r.queued,
      (extract(epoch from now() - r.updated_at) * 1000)::float8 as stalled_ms,
      to_char(r.cursor_created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_created_at, r.cursor_id, e.enabled, e.url
    from recoveries r join endpoints e on e.id = r.endpoint_id
    where r.id = ${recoveryId} for update of r`;
  if (!r || r.status !== 'running') return { done: true, queued: 0 };
  if (!r.enabled) {
    await tx`update recoveries set status = 'failed', error = 'the endpoint was disabled', updated_at = now(), completed_at = now() where id = ${recoveryId}`;
    return { done: true, queued: 0 };
  }
  const [busy] = await tx<{ n: number }[]>`
    select count(*)::int as n from (select 1 from deliveries where endpoint_id = ${r.endpointId} and status = 'pending' limit ${limits.maxPending}) p`;
  if (busy!.n >= limits.maxPending) return { done: false, waitMs: Math.round(Math.min(BUSY_WAIT_MAX_MS, Math.max(BUSY_WAIT_MS, r.stalledMs / 4))), queued: 0 };

  // Recovery sends count against the tenant's redeliveries a minute, like redeliveries by hand.
  const budget = await redeliverBudget(tx, r.tenantId, limits.redeliverPerMinute);
  if (budget.left <= 0) return { done: false, waitMs: budget.resetMs, queued: 0 };
  const size = Math.min(limits.batchSize, budget.left);

  // scan: the next deliveries in range; src: those whose event the endpoint has neither received nor
  // queued (a pending or successful delivery of it), so overlapping recoveries never send it twice.
  const [step] = await tx<{ matched: number; queued: number; lastCreatedAt: string | null; lastId: string | null }[]>`
    with scan as (
      select d.id, d.event_id, d.created_at from deliveries d
      where d.endpoint_id = ${r.endpointId} and d.status = any(${r.statuses}::text[]) and d.kind <> 'test'
        and d.created_at >= ${r.since} and d.created_at <= ${r.until}
        ${r.cursorCreatedAt ? tx`and (d.created_at, d.id) > (${r.cursorCreatedAt}::text::timestamptz, ${r.cursorId})` : tx``}
      order by d.created_at, d.id limit ${size}
    ), src as (
      select s.* from scan s
      where not exists (select 1 from deliveries l where l.endpoint_id = ${r.endpointId} and l.event_id = s.event_id and l.status in ('pending', 'success'))
    ), ins as (
      insert into deliveries (id, tenant_id, endpoint_id, event_id, kind, status, recovery_id, recovered_from)
      select hookline_new_id('dlv'), ${r.tenantId}, ${r.endpointId}, s.event_id, 'redelivery', 'pending', ${recoveryId}, s.id
      from src s order by s.created_at, s.id
      on conflict (recovery_id, event_id) where recovery_id is not null do nothing
      returning id, event_id
    ), ob as (
      insert into outbox (tenant_id, task_queue, kind, payload)
      select ${r.tenantId}, ${limits.config.temporal.taskQueue}, 'deliver',
        hookline_deliver_payload(i.event_id, ev.type, 'redelivery', array[i.id], array[${r.endpointId}::text])
      from ins i join events ev on ev.tenant_id = ${r.tenantId} and ev.id = i.event_id
      returning 1
    ), last as (select created_at, id from scan order by created_at desc, id desc limit 1)
    select (select count(*) from scan)::int as matched, (select count(*) from ob)::int as queued,
      (select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from last) as last_created_at,
      (select id from last) as last_id`;
  await countRedeliveries(tx, r.tenantId, step!.queued);
  const finished = step!.matched < size;
  await tx`
    update recoveries set matched = matched + ${step!.matched}, queued = queued + ${step!.queued},
      cursor_created_at = coalesce(${step!.lastCreatedAt}::text::timestamptz, cursor_created_at), cursor_id = coalesce(${step!.lastId}, cursor_id),
      status = case when ${finished} then 'completed' else status end,
      completed_at = case when ${finished} then now() else completed_at end, updated_at = now()
    where id = ${recoveryId}`;
  if (finished) {
    await emitOperatorEvent(tx, limits.config, r.tenantId, 'recovery.completed', {
      tenantId: r.tenantId,
      endpointId: r.endpointId,
      url: r.url,
      recoveryId,
      since: r.since.toISOString(),
      until: r.until.toISOString(),
      statuses: r.statuses,
      matched: r.matched + step!.matched,
      queued: r.queued + step!.queued,
    });
  }
  return { done: finished, queued: step!.queued };
}

/** The transaction's start time (now()): the `until` of a recovery started inside it. */
export async function transactionTime(tx: Tx): Promise<Date> {
  const [row] = await tx<{ now: Date }[]>`select now() as now`;
  return row!.now;
}
