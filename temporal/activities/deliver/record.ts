import { recordAttempt, type DeliveryTarget } from '../../../db/queries/attempts';
import { withTenant, type Sql } from '../../../db/sql';
import type { Verdict } from '../../../domain/classify';
import type { Config } from '../../../infra/config';
import type { CircuitNews, DeliveryInput } from '../../workflows/types';
import { noteCircuit } from './circuit';
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
 * final failure and the endpoint's circuit count. `done` is false when another attempt was recorded
 * since `target` was loaded (a zombie try); `circuit` is what the endpoint's workflow must hear.
 */
export function record(sql: Sql, config: Config, input: DeliveryInput, target: DeliveryTarget, { attempt, sent, verdict }: Judged): Promise<{ done: boolean; circuit?: CircuitNews }> {
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
    if (!done) return { done };
    if (verdict.outcome === 'failed' && input.kind !== 'test') await emitExhausted(tx, config, input, target, attempt, sent, verdict.reason);
    return { done, circuit: await noteCircuit(tx, config, input, target, sent) };
  });
}
