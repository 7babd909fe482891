import { storable } from '../../domain/json-depth';
import type { CircuitState } from '../../domain/circuit';
import type { DestinationConfig, EndpointType } from '../../domain/destinations';
import type { SignatureScheme } from '../../domain/endpoint-keys';
import type { DeliveryStatus } from '../../domain/enums';
import type { LegacySignature } from '../../domain/tenant-settings';
import type { Tx } from '../sql';

export interface DeliveryTarget {
  status: DeliveryStatus;
  /** Attempts recorded so far. */
  attemptCount: number;
  url: string;
  eventType: string;
  eventData: unknown;
  eventCreatedAt: Date;
  /** The endpoint's stored consecutive-failure count. */
  endpointFailures: number;
  /** Active secrets, newest first, still encrypted. */
  secrets: string[];
  /** How long the endpoint stays paused by a receiver's Retry-After (0 when it is not). */
  pausedMs: number;
  /** The scheme of each of `secrets`, in the same order. */
  secretSchemes: SignatureScheme[];
  /** The endpoint's custom headers. */
  headers: Record<string, string>;
  /** The tenant's settings (null: the deployment's default), read with the rest: no extra round trip per attempt. */
  legacySignature: LegacySignature | 'none' | null;
  retryScheduleMs: number[] | null;
  /** Flow control (issue 14): the endpoint's own cap of sends per worker, its rate (per second) and the rate's version. */
  maxInFlight: number | null;
  rateLimit: number | null;
  rateEpoch: number;
  /** Where it delivers (issue 26): http to `url`, or a broker by `config` with its sealed credentials (null: none). */
  type: EndpointType;
  config: DestinationConfig | Record<string, never>;
  credentials: string | null;
  /** The endpoint's circuit (domain/circuit.ts): its state, how long until its next probe, the run of tripping attempts, whether this delivery holds the probe. */
  circuitState: CircuitState;
  circuitWaitMs: number;
  circuitRun: number;
  circuitProbeMine: boolean;
  /** The tenant's circuit settings (null: the deployment's). */
  circuitFailures: number | null;
  circuitWindowMs: number | null;
  /** HTTP endpoint auth, sealed (domain/endpoint-auth.ts), and the client certificate with its sealed key; null when not set. */
  authCiphertext: string | null;
  tlsCertificate: string | null;
  tlsCaCertificate: string | null;
  tlsKeyCiphertext: string | null;
  tlsFingerprint: string | null;
}

type RawTarget = Omit<DeliveryTarget, 'eventData' | 'headers' | 'legacySignature' | 'config'> & { eventData: string; headers: string; legacySignature: string | null; config: string };

/** Everything one attempt needs, read in one statement; null when the endpoint or delivery is gone. */
export async function loadDeliveryTarget(tx: Tx, deliveryId: string): Promise<DeliveryTarget | null> {
  // jsonb as text: the client's camelCase transform would rename keys inside it (`document_id`).
  const [row] = await tx<RawTarget[]>`
    select d.status, d.attempt_count, e.url, ev.type as event_type, ev.data::text as event_data, ev.created_at as event_created_at,
      e.consecutive_failures as endpoint_failures,
      greatest(0, coalesce(extract(epoch from e.paused_until - now()) * 1000, 0))::float8 as paused_ms,
      e.max_in_flight, e.rate_limit, e.rate_epoch,
      coalesce((select array_agg(s.ciphertext order by s.created_at desc, s.id desc) from endpoint_secrets s
                where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > now())), '{}') as secrets,
      coalesce((select array_agg(s.scheme order by s.created_at desc, s.id desc) from endpoint_secrets s
                where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > now())), '{}') as secret_schemes,
      e.headers::text as headers, ts.legacy_signature::text as legacy_signature, ts.retry_schedule_ms,
      e.type, e.config::text as config, e.credentials_ciphertext as credentials,
      e.circuit_state, greatest(0, coalesce(extract(epoch from e.circuit_next_probe_at - now()) * 1000, 0))::float8 as circuit_wait_ms,
      e.circuit_run, e.circuit_probe is not distinct from d.id as circuit_probe_mine, ts.circuit_failures, ts.circuit_window_ms,
      e.auth_ciphertext, e.tls_certificate, e.tls_ca_certificate, e.tls_key_ciphertext, e.tls_fingerprint
    from deliveries d
    join endpoints e on e.id = d.endpoint_id
    join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
    left join tenant_settings ts on ts.tenant_id = d.tenant_id
    where d.id = ${deliveryId}`;
  if (!row) return null;
  return {
    ...row,
    eventData: JSON.parse(row.eventData),
    headers: Object.fromEntries(JSON.parse(row.headers) as [string, string][]),
    config: JSON.parse(row.config),
    legacySignature: row.legacySignature === null ? null : JSON.parse(row.legacySignature),
  };
}

export interface AttemptRecord {
  deliveryId: string;
  tenantId: string;
  /** 1-based; the delivery must have recorded exactly `attempt - 1` attempts so far. */
  attempt: number;
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  status: DeliveryStatus;
  nextRetryAt: Date | null;
  /** A broker attempt's outcome code (domain/destinations.ts); null for http. */
  outcome?: string | null;
  /** Pause the whole endpoint this long (a Retry-After); a success ends any pause. */
  pauseEndpointMs: number | null;
}

/** A receiver's answer or a broker's or token endpoint's words: Postgres text cannot hold a NUL they may contain. */
const storableOrNull = (text: string | null): string | null => (text === null ? null : storable(text));

/**
 * Logs the attempt and moves the delivery to its new status in one statement. False when the
 * delivery is gone or another attempt was recorded since it was loaded (a zombie attempt).
 */
export async function recordAttempt(tx: Tx, a: AttemptRecord): Promise<boolean> {
  const rows = await tx`
    with d as (
      update deliveries set attempt_count = ${a.attempt}, status = ${a.status}, next_retry_at = ${a.nextRetryAt},
        last_attempt_at = now(), updated_at = now()
      where id = ${a.deliveryId} and attempt_count = ${a.attempt - 1}
      returning id, endpoint_id
    ),
    paused as (
      update endpoints e set paused_until = case when ${a.pauseEndpointMs}::float8 is null then null
          else greatest(coalesce(e.paused_until, now()), now() + ${a.pauseEndpointMs}::float8 * interval '1 millisecond') end
      from d where e.id = d.endpoint_id
        and (${a.pauseEndpointMs}::float8 is not null or (${a.status} = 'success' and e.paused_until is not null))
      returning e.id
    )
    insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms, response_status, response_body, error, next_retry_at, outcome)
    select d.id, ${a.tenantId}, ${a.attempt}, ${a.startedAt}, ${a.durationMs}, ${a.responseStatus}, ${storableOrNull(a.responseBody)}, ${storableOrNull(a.error)}, ${a.nextRetryAt}, ${a.outcome ?? null}
    from d
    returning attempt`;
  return rows.length > 0;
}
