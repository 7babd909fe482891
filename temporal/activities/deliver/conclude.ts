import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../../../domain/enums';
import type { Logger } from '../../../infra/logger';
import type { Metrics } from '../../../infra/metrics';
import type { DeliveryInput } from '../../workflows/types';
import type { AttemptResult } from './attempt-result';
import type { Judged } from './record';

/**
 * The recorded verdict as the activity's answer: success returns; a retry throws with its delay (the
 * schedule's or a clamped Retry-After) for Temporal to wait out; a final failure throws non-retryable.
 */
export function conclude({ metrics, log }: { metrics: Metrics; log: Logger }, input: DeliveryInput, { attempt, sent, verdict }: Judged, endpointFailures: number): AttemptResult {
  const what = sent.status === null ? sent.error : `HTTP ${sent.status}`;
  switch (verdict.outcome) {
    case 'success':
      metrics.deliveriesCompleted.inc({ status: 'success' });
      return { attempt, responseStatus: sent.status!, endpointFailures };
    case 'retry':
      log.info({ deliveryId: input.deliveryId, attempt, what }, 'delivery attempt failed, will retry');
      throw ApplicationFailure.create({ message: `attempt ${attempt}: ${what}`, type: FailureType.AttemptFailed, nextRetryDelay: verdict.delayMs });
    case 'failed':
      metrics.deliveriesCompleted.inc({ status: 'failed' });
      throw ApplicationFailure.create({
        message: `attempt ${attempt}: ${what}; ${verdict.reason}`,
        type: verdict.gone ? FailureType.EndpointGone : FailureType.DeliveryFailed,
        nonRetryable: true,
      });
  }
}
