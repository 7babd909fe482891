import { ApplicationFailure } from '@temporalio/activity';
import { loadDeliveryTarget, type DeliveryTarget } from '../../../db/queries/attempts';
import { withTenant, type Sql } from '../../../db/sql';
import { FailureType } from '../../../domain/enums';
import type { DeliveryInput } from '../../workflows/types';
import { waitThenRetry, type AttemptResult } from './attempt-result';
import type { SendResult } from './destination';
import type { Carry } from './unrecorded';

/** What this try does next, decided before anything is sent. */
export type Prepared =
  /** Already done (a retry after a crash between recording and completing), or paused: return this. */
  | { next: 'return'; result: AttemptResult }
  /** An earlier try got this answer and could not record it: record it, do not send again. */
  | { next: 'record'; target: DeliveryTarget; sent: SendResult }
  | { next: 'send'; target: DeliveryTarget };

/** Loads what the attempt needs; a deleted or already failed delivery ends here (non-retryable). */
export async function prepare(sql: Sql, input: DeliveryInput, carry: Carry): Promise<Prepared> {
  const target = await withTenant(sql, input.tenantId, (tx) => loadDeliveryTarget(tx, input.deliveryId));
  if (!target) throw ApplicationFailure.nonRetryable('endpoint or delivery deleted', FailureType.EndpointDeleted);
  if (target.status === 'success') return { next: 'return', result: { attempt: target.attemptCount, responseStatus: 0 } };
  if (target.status === 'failed') throw ApplicationFailure.nonRetryable('delivery already failed', FailureType.DeliveryFailed);

  const sent = carry.carried(target.attemptCount);
  if (sent) return { next: 'record', target, sent };
  // A pause holds every delivery of the endpoint but the one that will retry at its end, and tests.
  if (target.pausedMs > 0 && input.kind !== 'test') return { next: 'return', result: waitThenRetry(target.attemptCount, target.pausedMs) };
  return { next: 'send', target };
}
