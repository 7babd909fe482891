import type { EndpointOrdering } from './endpoints';
import type { DeliveryKind } from '../../domain/enums';
import type { Tx } from '../sql';

/*
 * Per-endpoint flow control (issue 14): the rate limit's reservations and the FIFO queue.
 */

/**
 * The rate statements lock the endpoint's row until their transaction ends: a worker frozen between
 * the statement and its COMMIT (a GC pause, SIGSTOP) would hold every other worker's sends of the
 * endpoint. Postgres ends such a transaction after this long idle, which frees the row.
 */
const RATE_LOCK_IDLE_MAX = '2s';

async function holdRowBriefly(tx: Tx): Promise<void> {
  await tx`select set_config('idle_in_transaction_session_timeout', ${RATE_LOCK_IDLE_MAX}, true)`;
}

/**
 * Reserves the endpoint's next send slot under its rate limit (GCRA: `rate_tat` is the earliest
 * time the next slot may start; each reservation moves it on by 1/rate). One statement, so any
 * number of workers share one limit. Null when the endpoint has no limit (or no longer exists).
 */
export async function reserveRateSlot(tx: Tx, endpointId: string): Promise<{ waitMs: number; epoch: number } | null> {
  await holdRowBriefly(tx);
  const [row] = await tx<{ waitMs: number; epoch: number }[]>`
    update endpoints set rate_tat = greatest(coalesce(rate_tat, clock_timestamp()), clock_timestamp()) + interval '1 second' / rate_limit
    where id = ${endpointId} and rate_limit is not null
    returning greatest(0, extract(epoch from (rate_tat - interval '1 second' / rate_limit) - clock_timestamp()) * 1000)::float8 as wait_ms,
      rate_epoch as epoch`;
  return row ?? null;
}

/**
 * At the moment of sending: how long to hold this send so that it follows the endpoint's previous
 * send by at least 1/rate (0 when it may go now). It takes its turn (moves the next one on by 1/rate)
 * only when that wait is at most `maxWaitMs`, the longest the caller will hold: a send that is told
 * to come back later must not take a turn, or after a stall the turns run ahead of every caller for
 * good. Null when the endpoint has no limit.
 */
export async function spaceRateSend(tx: Tx, endpointId: string, maxWaitMs: number): Promise<{ waitMs: number; taken: boolean } | null> {
  await holdRowBriefly(tx);
  const [row] = await tx<{ waitMs: number; taken: boolean }[]>`
    with cur as (
      select id, clock_timestamp() as t, greatest(coalesce(rate_sent_tat, clock_timestamp()), clock_timestamp()) as at,
             interval '1 second' / rate_limit as step
      from endpoints where id = ${endpointId} and rate_limit is not null for update
    ), took as (
      update endpoints e set rate_sent_tat = cur.at + cur.step from cur
      where e.id = cur.id and cur.at - cur.t <= ${maxWaitMs} * interval '1 millisecond'
      returning 1
    )
    select greatest(0, extract(epoch from cur.at - cur.t) * 1000)::float8 as wait_ms, exists (select 1 from took) as taken from cur`;
  return row ?? null;
}

/** The relay's view of a batch's endpoints: which exist, and their ordering (across tenants). */
export async function endpointOrderings(tx: Tx, ids: string[]): Promise<Map<string, EndpointOrdering>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<{ id: string; ordering: EndpointOrdering }[]>`select id, ordering from hookline_endpoint_orderings(${ids}::text[])`;
  return new Map(rows.map((r) => [r.id, r.ordering]));
}

export interface QueuedDelivery {
  seq: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  kind: DeliveryKind;
}

/** The endpoint's ordering and its oldest pending deliveries (tests aside), in publish (seq) order. */
export async function fifoQueueHead(tx: Tx, endpointId: string, limit: number, afterSeq = '0'): Promise<{ ordering: EndpointOrdering; enabled: boolean; queue: QueuedDelivery[] } | null> {
  const [endpoint] = await tx<{ ordering: EndpointOrdering; enabled: boolean }[]>`select ordering, enabled from endpoints where id = ${endpointId}`;
  if (!endpoint) return null;
  const queue = await tx<QueuedDelivery[]>`
    select d.seq::text as seq, d.id as delivery_id, d.event_id, ev.type as event_type, d.kind
    from deliveries d join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
    where d.endpoint_id = ${endpointId} and d.status = 'pending' and d.kind <> 'test' and d.seq > ${afterSeq}::bigint
    order by d.seq limit ${limit}`;
  return { ...endpoint, queue };
}
