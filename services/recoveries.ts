import { createHash } from 'node:crypto';
import { parseInstant } from '../domain/instant';
import { conflict, invalid, notFound } from '../domain/errors';
import { getEndpoint } from '../db/queries/endpoints';
import { enqueue } from '../db/queries/outbox';
import { getRecovery, insertRecovery, type RecoveryProgress } from '../db/queries/recoveries';
import { withTenant, type Tx } from '../db/sql';
import type { ServiceDeps } from './deps';

export const RECOVERABLE_STATUSES = ['failed', 'skipped'] as const;
export type RecoverableStatus = (typeof RECOVERABLE_STATUSES)[number];

export interface RecoverRequest {
  /** ISO 8601; deliveries created at or after it. */
  since: string;
  /** ISO 8601; deliveries created at or before it (default: when the request is made). */
  until?: string;
  statuses?: RecoverableStatus[];
  /** The Idempotency-Key header, when given: part of the recovery's id. */
  idempotencyKey?: string;
}

/**
 * The id of a recovery: a hash of what was asked (tenant, endpoint, since and until as given,
 * the statuses as a set, the Idempotency-Key). The same request again finds the same recovery,
 * running or done; to run it again with an open `until`, send another Idempotency-Key.
 */
export function recoveryId(tenantId: string, endpointId: string, r: RecoverRequest): string {
  const statuses = [...new Set(r.statuses ?? RECOVERABLE_STATUSES)].sort();
  const key = JSON.stringify([tenantId, endpointId, r.since, r.until ?? null, statuses, r.idempotencyKey ?? null]);
  return `rcv_${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

function parseTime(field: string, value: string): Date {
  const at = parseInstant(value);
  if (typeof at === 'string') throw invalid(field, at);
  return at;
}

/**
 * Stores the recovery and the outbox row that starts its workflow, in the caller's transaction.
 * Answers the recovery that runs for the request: this one, or the one the endpoint runs already.
 */
export async function startRecoveryIn(
  tx: Tx,
  deps: ServiceDeps,
  r: { id: string; tenantId: string; endpointId: string; since: Date; until: Date; statuses: string[] },
): Promise<string> {
  const { id, created } = await insertRecovery(tx, r);
  if (created) {
    await enqueue(tx, { tenantId: r.tenantId, taskQueue: deps.config.temporal.taskQueue }, [
      { kind: 'recover', payload: { endpointId: r.endpointId, recoveryId: r.id } },
    ]);
  }
  return id;
}

/**
 * POST /v1/webhooks/:id/recover: re-sends the endpoint's matching deliveries, oldest first, as one
 * workflow. While the endpoint has a recovery running, the answer is that recovery's id.
 */
export async function recoverEndpoint(deps: ServiceDeps, tenantId: string, endpointId: string, request: RecoverRequest): Promise<string> {
  const since = parseTime('since', request.since);
  const until = request.until === undefined ? new Date() : parseTime('until', request.until);
  if (until < since) throw invalid('until', 'must not be before since');
  const statuses = [...new Set(request.statuses ?? RECOVERABLE_STATUSES)].sort();
  // The same range written another way (…Z, …+00:00) is the same recovery.
  const id = recoveryId(tenantId, endpointId, { ...request, since: since.toISOString(), until: request.until === undefined ? undefined : until.toISOString() });
  return withTenant(deps.sql, tenantId, async (tx) => {
    const endpoint = await getEndpoint(tx, endpointId);
    if (!endpoint) throw notFound('webhook');
    if (!endpoint.enabled) throw conflict('the webhook is disabled: enable it first, or PATCH {"enabled": true, "recoverSkipped": true}');
    return startRecoveryIn(tx, deps, { id, tenantId, endpointId, since, until, statuses });
  });
}

export async function readRecovery(deps: ServiceDeps, tenantId: string, id: string): Promise<RecoveryProgress> {
  const found = await withTenant(deps.sql, tenantId, (tx) => getRecovery(tx, id));
  if (!found) throw notFound('recovery');
  return found;
}
