import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DeliveryTarget } from '../../../db/queries/attempts';
import { FailureType } from '../../../domain/enums';
import type { Config } from '../../../infra/config';
import type { DeliveryInput } from '../../workflows/types';
import type { SendResult } from './destination';
import { createSendGate, SendSlotsBusy } from './send-gate';

/** How long a send waits for a fair-share slot before it gives its activity slot back. */
const SLOT_WAIT_MS = 10_000;
const BUSY_RETRY_MAX_MS = 30_000;

/** Runs each send within the endpoint's and tenant's share of this worker's slots (send-gate.ts). */
export function createFairShare(config: Pick<Config, 'workerConcurrency' | 'tenantMaxInFlight' | 'endpointMaxInFlight'>) {
  const gate = createSendGate({
    total: config.workerConcurrency,
    perTenant: config.tenantMaxInFlight,
    perEndpoint: config.endpointMaxInFlight,
    maxWaitMs: SLOT_WAIT_MS,
  });

  return async function sendFairly(input: DeliveryInput, target: DeliveryTarget, send: () => Promise<SendResult>): Promise<SendResult> {
    let release: () => void;
    try {
      release = await gate.acquire(input.tenantId, input.endpointId, target.maxInFlight ?? undefined);
    } catch (err) {
      if (!(err instanceof SendSlotsBusy)) throw err;
      // Nothing was sent and no attempt is counted: try again later, backing off while it stays busy.
      const backoff = Math.min(BUSY_RETRY_MAX_MS, 1_000 * 2 ** Math.min(Context.current().info.attempt - 1, 5));
      throw ApplicationFailure.create({ message: err.message, type: FailureType.SendSlotsBusy, nextRetryDelay: Math.round(backoff * (0.8 + Math.random() * 0.4)) });
    }
    try {
      return await send();
    } finally {
      release();
    }
  };
}
