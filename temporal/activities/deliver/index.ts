import { ApplicationFailure } from '@temporalio/activity';
import { classifyAttempt } from '../../../domain/classify';
import { FailureType } from '../../../domain/enums';
import type { DeliveryInput } from '../../workflows/types';
import type { ActivityDeps } from '../deps';
import type { AttemptResult } from './attempt-result';
import { passCircuitGate, tellCircuit } from './circuit';
import { conclude } from './conclude';
import type { SendResult } from './destination';
import { prepare } from './prepare';
import { isRateTurn, staleTurn, takeRateSlot } from './rate-slot';
import { record } from './record';
import { createSend } from './send';
import { createUnrecordedCarry } from './unrecorded';

export type { AttemptResult } from './attempt-result';

/**
 * One attempt of one delivery, as svix's worker stages it (prepare → call → handle):
 * prepare (load, already done, paused, carried answer) → circuit gate → rate slot → send (sign,
 * fair-share slot, destination) → classify → record (with the circuit's count) → conclude. Success returns; a retryable failure throws with the
 * next delay; a final failure (or an exhausted schedule) is recorded as `failed` and thrown as
 * non-retryable. Every try runs inside `withCarry`, which heartbeats and keeps an answer that could
 * not be recorded for the next try.
 */
export function createDeliver(deps: ActivityDeps) {
  const { sql, config, log } = deps;
  const send = createSend(deps);
  const withCarry = createUnrecordedCarry();

  return async function deliver(input: DeliveryInput): Promise<AttemptResult> {
    // Whatever this attempt does, the relay's admission of the delivery (if it made one here) ends with it.
    return attempt(input).finally(() => deps.sendGate?.settle(input.deliveryId));
  };

  function attempt(input: DeliveryInput): Promise<AttemptResult> {
    return withCarry(input.deliveryId, async (carry) => {
      const prepared = await prepare(sql, input, carry);
      if (prepared.next === 'return') return prepared.result;
      const { target } = prepared;

      let sent: SendResult;
      if (prepared.next === 'record') {
        sent = prepared.sent;
        log.info({ deliveryId: input.deliveryId, status: sent.status }, 'recording an answer received before Postgres failed, without sending again');
      } else {
        const held = await passCircuitGate(sql, input, target);
        if (held) return held;
        const slot = await takeRateSlot(sql, input, target);
        if (slot && !isRateTurn(slot)) return slot;
        const answer = await send(input, target, slot?.onTime);
        if (!answer) return staleTurn(target);
        sent = answer;
        carry.remember(target.attemptCount, sent);
      }

      const attempt = target.attemptCount + 1;
      const verdict = classifyAttempt(sent, attempt, target.retryScheduleMs ?? config.retryScheduleMs, config.retryAfterMaxMs);
      const recorded = await record(sql, config, input, target, { attempt, sent, verdict });
      carry.recorded();
      if (recorded.circuit) await tellCircuit(deps, input, recorded.circuit);
      if (!recorded.done) throw ApplicationFailure.retryable('the delivery changed while this attempt ran; reloading', FailureType.AttemptRaced);
      return conclude(deps, input, { attempt, sent, verdict }, target.endpointFailures);
    });
  }
}
