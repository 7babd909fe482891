import type { DestinationConfig, EndpointType } from '../../domain/destinations';
import type { CircuitState } from '../../domain/circuit';
import type { Tx } from '../sql';
import type { AuthView } from '../../domain/endpoint-auth';
import type { RoutingColumns } from './endpoint-routing';

export interface EndpointRow extends RoutingColumns {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Custom headers, as [name, value] pairs. */
  headers: [string, string][];
  signatureScheme: 'v1' | 'v1a';
  /** `whpk_...` of the newest key when it is v1a. */
  publicKey: string | null;
  /** Flow control (issue 14): null means the default. */
  maxInFlight: number | null;
  rateLimit: number | null;
  ordering: EndpointOrdering;
  /** Where it delivers (issue 26): 'http' to `url`, or a broker by `config` (whose serverUrl is also `url`). */
  type: EndpointType;
  /** Keys are camelCase without underscores, so the client's row transform leaves them as they are. */
  config: DestinationConfig | Record<string, never>;
  /** Which credential fields are set; the credentials themselves are never read back here. */
  credentialFields: string[];
  /** The circuit breaker as the endpoint's workflow last saved it (domain/circuit.ts). */
  circuitState: CircuitState;
  circuitOpenedAt: Date | null;
  circuitNextProbeAt: Date | null;
  /** Endpoint auth and mutual TLS (db/queries/endpoint-auth.ts): only what answers show; the secrets stay sealed in their columns. */
  auth: AuthView | null;
  tlsSubject: string | null;
  tlsNotAfter: Date | null;
  tlsFingerprint: string | null;
  tlsCaSet: boolean;
}

/** Broker credentials as stored: sealed JSON, and the names of the fields it holds. */
export interface SealedCredentials {
  ciphertext: string;
  fields: string[];
}

export type EndpointOrdering = 'unordered' | 'fifo';

export const COLUMNS = 'id, tenant_id, url, description, event_types, enabled, consecutive_failures, disabled_at, disabled_reason, created_at, updated_at'
  + ', headers, signature_scheme, public_key, max_in_flight, rate_limit, ordering, type, config, credential_fields, circuit_state, circuit_opened_at, circuit_next_probe_at'
  + ', auth, tls_subject, tls_not_after, tls_fingerprint, tls_ca_certificate is not null as tls_ca_set'
  // Filters and channels (db/queries/endpoint-routing.ts); the filter as text, so no key is camelCased.
  + ', filter::text as filter_json, channels';

/** A new key: v1 secrets have no public half; v1a key pairs do. */
export interface SealedKey {
  ciphertext: string;
  fingerprint: string;
  scheme?: 'v1' | 'v1a';
  publicKey?: string | null;
}

/** Serialises endpoint creation per tenant so the per-tenant limit holds under concurrent requests. */
export async function countEndpointsLocked(tx: Tx, tenantId: string): Promise<number> {
  await tx`select pg_advisory_xact_lock(hashtext(${`endpoints:${tenantId}`}))`;
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from endpoints`;
  return row!.n;
}

export async function insertEndpoint(
  tx: Tx,
  e: { id: string; tenantId: string; url: string; description: string; eventTypes: string[]; headers?: [string, string][] } & FlowSettings & Destination,
  secret: SealedKey,
): Promise<EndpointRow> {
  const [row] = await tx<EndpointRow[]>`
    insert into endpoints (id, tenant_id, url, description, event_types, headers, signature_scheme, public_key, max_in_flight, rate_limit, ordering,
      type, config, credentials_ciphertext, credential_fields)
    values (${e.id}, ${e.tenantId}, ${e.url}, ${e.description}, ${e.eventTypes}, ${JSON.stringify(e.headers ?? [])}::text::jsonb,
      ${secret.scheme ?? 'v1'}, ${secret.publicKey ?? null}, ${e.maxInFlight ?? null}, ${e.rateLimit ?? null}, ${e.ordering ?? 'unordered'},
      ${e.type ?? 'http'}, ${JSON.stringify(e.config ?? {})}::text::jsonb, ${e.credentials?.ciphertext ?? null}, ${e.credentials?.fields ?? []}::text[])
    returning ${tx.unsafe(COLUMNS)}`;
  await tx`insert into endpoint_secrets (endpoint_id, tenant_id, ciphertext, fingerprint, scheme)
           values (${e.id}, ${e.tenantId}, ${secret.ciphertext}, ${secret.fingerprint}, ${secret.scheme ?? 'v1'})`;
  return row!;
}

export async function listEndpoints(tx: Tx): Promise<EndpointRow[]> {
  return tx<EndpointRow[]>`select ${tx.unsafe(COLUMNS)} from endpoints order by created_at, id`;
}

export async function getEndpoint(tx: Tx, id: string): Promise<EndpointRow | null> {
  const [row] = await tx<EndpointRow[]>`select ${tx.unsafe(COLUMNS)} from endpoints where id = ${id}`;
  return row ?? null;
}

/** Flow-control settings: undefined leaves a setting as it is, null sets it back to the default. */
export interface FlowSettings {
  maxInFlight?: number | null;
  rateLimit?: number | null;
  ordering?: EndpointOrdering;
}

/** A broker destination's settings; for http, type alone (or nothing). */
export interface Destination {
  type?: EndpointType;
  config?: DestinationConfig;
  /** undefined leaves them as they are; null removes them. */
  credentials?: SealedCredentials | null;
}

export interface EndpointPatch extends FlowSettings, Omit<Destination, 'type'> {
  url?: string;
  eventTypes?: string[];
  description?: string;
  enabled?: boolean;
  headers?: [string, string][];
}

/** Applies a patch; enabling clears the failure count and the disable fields, disabling marks it manual. */
export async function updateEndpoint(tx: Tx, id: string, patch: EndpointPatch): Promise<EndpointRow | null> {
  const [row] = await tx<EndpointRow[]>`
    update endpoints set
      url = coalesce(${patch.url ?? null}, url),
      event_types = coalesce(${patch.eventTypes ?? null}::text[], event_types),
      description = coalesce(${patch.description ?? null}, description),
      headers = coalesce(${patch.headers === undefined ? null : JSON.stringify(patch.headers)}::text::jsonb, headers),
      enabled = coalesce(${patch.enabled ?? null}::boolean, enabled),
      consecutive_failures = case when ${patch.enabled === true} then 0 else consecutive_failures end,
      disabled_at = case when ${patch.enabled === true} then null
                         when ${patch.enabled === false} and enabled then now() else disabled_at end,
      disabled_reason = case when ${patch.enabled === true} then null
                             when ${patch.enabled === false} and enabled then 'manual' else disabled_reason end,
      max_in_flight = case when ${patch.maxInFlight !== undefined} then ${patch.maxInFlight ?? null}::integer else max_in_flight end,
      rate_limit = case when ${patch.rateLimit !== undefined} then ${patch.rateLimit ?? null}::float8 else rate_limit end,
      -- A new rate starts afresh: reservations made at the old rate are not honoured (rate_epoch).
      rate_tat = case when ${patch.rateLimit !== undefined} and rate_limit is distinct from ${patch.rateLimit ?? null}::float8 then null else rate_tat end,
      rate_sent_tat = case when ${patch.rateLimit !== undefined} and rate_limit is distinct from ${patch.rateLimit ?? null}::float8 then null else rate_sent_tat end,
      rate_epoch = case when ${patch.rateLimit !== undefined} and rate_limit is distinct from ${patch.rateLimit ?? null}::float8 then rate_epoch + 1 else rate_epoch end,
      ordering = coalesce(${patch.ordering ?? null}, ordering),
      config = coalesce(${patch.config === undefined ? null : JSON.stringify(patch.config)}::text::jsonb, config),
      credentials_ciphertext = case when ${patch.credentials !== undefined} then ${patch.credentials?.ciphertext ?? null} else credentials_ciphertext end,
      credential_fields = case when ${patch.credentials !== undefined} then ${patch.credentials?.fields ?? []}::text[] else credential_fields end,
      updated_at = now()
    where id = ${id}
    returning ${tx.unsafe(COLUMNS)}`;
  return row ?? null;
}

/** Deletes the endpoint with its secrets, deliveries and attempts; returns the deliveries still pending. */
export async function deleteEndpoint(tx: Tx, id: string): Promise<{ pendingDeliveryIds: string[] } | null> {
  const pending = await tx<{ id: string }[]>`select id from deliveries where endpoint_id = ${id} and status = 'pending'`;
  const deleted = await tx`delete from endpoints where id = ${id} returning id`;
  return deleted.length ? { pendingDeliveryIds: pending.map((p) => p.id) } : null;
}

/**
 * Adds a new secret. The one it replaces (the newest) keeps signing until `graceSeconds` from now;
 * an older one still in its grace ends at once, so no more than two secrets ever sign.
 */
export async function rotateSecret(
  tx: Tx,
  endpoint: { id: string; tenantId: string },
  secret: SealedKey,
  graceSeconds: number,
): Promise<void> {
  // Concurrent rotations of one endpoint take turns, or each would keep a secret the other replaced.
  await tx`select id from endpoints where id = ${endpoint.id} for update`;
  await tx`delete from endpoint_secrets where endpoint_id = ${endpoint.id} and id <> (
             select id from endpoint_secrets where endpoint_id = ${endpoint.id} order by created_at desc, id desc limit 1)`;
  await tx`update endpoint_secrets set expires_at = now() + make_interval(secs => ${graceSeconds}) where endpoint_id = ${endpoint.id}`;
  await tx`delete from endpoint_secrets where endpoint_id = ${endpoint.id} and expires_at <= now()`;
  await tx`insert into endpoint_secrets (endpoint_id, tenant_id, ciphertext, fingerprint, scheme)
           values (${endpoint.id}, ${endpoint.tenantId}, ${secret.ciphertext}, ${secret.fingerprint}, ${secret.scheme ?? 'v1'})`;
  await tx`update endpoints set signature_scheme = ${secret.scheme ?? 'v1'}, public_key = ${secret.publicKey ?? null}, updated_at = now()
           where id = ${endpoint.id}`;
}

/** Mirrors the endpoint workflow's count into the row the API reads. */
export async function saveFailureCount(tx: Tx, id: string, consecutiveFailures: number): Promise<void> {
  await tx`update endpoints set consecutive_failures = ${consecutiveFailures}, updated_at = now() where id = ${id}`;
}

/** Disables the endpoint unless it is disabled already; null when it no longer exists. */
export async function markDisabled(
  tx: Tx,
  id: string,
  change: { reason: string; consecutiveFailures: number },
): Promise<{ changed: boolean; url: string; disabledAt: Date | null } | null> {
  const changed = await tx`
    update endpoints set enabled = false, disabled_at = now(), disabled_reason = ${change.reason},
      consecutive_failures = ${change.consecutiveFailures}, updated_at = now()
    where id = ${id} and enabled returning id`;
  const [row] = await tx<{ url: string; disabledAt: Date | null }[]>`select url, disabled_at from endpoints where id = ${id}`;
  return row ? { changed: changed.length > 0, ...row } : null;
}

export async function endpointExists(tx: Tx, id: string): Promise<boolean> {
  const [row] = await tx`select 1 as one from endpoints where id = ${id}`;
  return Boolean(row);
}
