import type { Tx } from '../sql';

export interface DeliveryTarget {
  status: 'pending' | 'success' | 'failed';
  url: string;
  eventType: string;
  eventData: unknown;
  eventCreatedAt: Date;
  /** Active secrets, newest first, still encrypted. */
  secrets: string[];
}

/** Everything one attempt needs, read in one statement; null when the endpoint or delivery is gone. */
export async function loadDeliveryTarget(tx: Tx, deliveryId: string): Promise<DeliveryTarget | null> {
  const [row] = await tx<DeliveryTarget[]>`
    select d.status, e.url, ev.type as event_type, ev.data as event_data, ev.created_at as event_created_at,
      coalesce((select array_agg(s.ciphertext order by s.created_at desc, s.id desc) from endpoint_secrets s
                where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > now())), '{}') as secrets
    from deliveries d
    join endpoints e on e.id = d.endpoint_id
    join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
    where d.id = ${deliveryId}`;
  return row ?? null;
}

export interface AttemptRecord {
  deliveryId: string;
  tenantId: string;
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

/**
 * Counts the attempt on its delivery and returns its 1-based number with the endpoint's stored
 * consecutive-failure count; null when the delivery is gone.
 */
export async function nextAttemptNumber(tx: Tx, deliveryId: string): Promise<{ attempt: number; endpointFailures: number } | null> {
  const [row] = await tx<{ attemptCount: number; consecutiveFailures: number }[]>`
    update deliveries d set attempt_count = d.attempt_count + 1, last_attempt_at = now(), updated_at = now()
    from endpoints e where d.id = ${deliveryId} and e.id = d.endpoint_id
    returning d.attempt_count, e.consecutive_failures`;
  return row ? { attempt: row.attemptCount, endpointFailures: row.consecutiveFailures } : null;
}

export async function insertAttempt(
  tx: Tx,
  attempt: number,
  rec: AttemptRecord,
  outcome: { status: 'pending' | 'success' | 'failed'; nextRetryAt: Date | null },
): Promise<void> {
  await tx`
    insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status, response_body, error, next_retry_at)
    values (${rec.deliveryId}, ${rec.tenantId}, ${attempt}, ${rec.startedAt}, ${rec.durationMs}, ${rec.responseStatus},
            ${rec.responseBody}, ${rec.error}, ${outcome.nextRetryAt})`;
  await tx`
    update deliveries set status = ${outcome.status}, next_retry_at = ${outcome.nextRetryAt}
    where id = ${rec.deliveryId}`;
}
