import { recordAttempt, type DeliveryTarget } from '../../../db/queries/attempts';
import { withTenant, type Sql } from '../../../db/sql';
import type { Verdict } from '../../../domain/classify';
import type { Config } from '../../../infra/config';
import type { DeliveryInput } from '../../workflows/types';
import type { SendResult } from './destination';
import { emitExhausted } from './operator-event';

export interface Judged {
  /** 1-based number of the attempt just made. */
  attempt: number;
  sent: SendResult;
  verdict: Verdict;
}

/**
 * Logs the attempt and moves the delivery on, in one transaction with the operator's event of a
 * final failure. False when another attempt was recorded since `target` was loaded (a zombie try).
 */
export function record(sql: Sql, config: Config, input: DeliveryInput, target: DeliveryTarget, { attempt, sent, verdict }: Judged): Promise<boolean> {
  return withTenant(sql, input.tenantId, async (tx) => {
    const done = await recordAttempt(tx, {
      deliveryId: input.deliveryId,
      tenantId: input.tenantId,
      attempt,
      startedAt: sent.startedAt,
      durationMs: sent.durationMs,
      responseStatus: sent.status,
      responseBody: sent.body,
      error: sent.error,
      outcome: sent.outcome ?? null,
      status: verdict.outcome === 'retry' ? 'pending' : verdict.outcome,
      nextRetryAt: verdict.outcome === 'retry' ? new Date(Date.now() + verdict.delayMs) : null,
      pauseEndpointMs: verdict.outcome === 'retry' && verdict.pauseEndpoint ? verdict.delayMs : null,
    });
    if (done && verdict.outcome === 'failed' && input.kind !== 'test') await emitExhausted(tx, config, input, target, attempt, sent, verdict.reason);
    return done;
  });
}
