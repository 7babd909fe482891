import { ApplicationFailure } from '@temporalio/activity';
import type { DeliveryTarget } from '../../../db/queries/attempts';
import { FailureType } from '../../../domain/enums';
import type { Config } from '../../../infra/config';
import type { Metrics } from '../../../infra/metrics';
import type { DeliveryInput } from '../../workflows/types';
import type { SendResult } from './destination';
import { createSendGate, SendSlotsBusy, type SendGate } from './send-gate';

const BUSY_RETRY_MIN_MS = 500;
const BUSY_RETRY_MAX_MS = 30_000;

/**
 * Runs each send within the endpoint's and tenant's share of this worker's slots (send-gate.ts). A
 * send over its share gives its activity slot back at once, and Temporal retries it at the turn the
 * gate gave it: a server-side timer that holds no worker slot.
 */
export function createFairShare(config: Pick<Config, 'workerConcurrency' | 'tenantMaxInFlight' | 'endpointMaxInFlight'>, metrics: Pick<Metrics, 'sendSlotWait'>, gate: SendGate = createWorkerSendGate(config)) {
  return async function sendFairly<T extends SendResult | undefined>(input: DeliveryInput, target: DeliveryTarget, send: () => Promise<T>): Promise<T> {
    let release: () => void;
    try {
      release = gate.acquire(input.tenantId, input.endpointId, target.maxInFlight ?? undefined, input.deliveryId);
      metrics.sendSlotWait.observe({ outcome: 'granted' }, 0);
    } catch (err) {
      if (!(err instanceof SendSlotsBusy)) throw err;
      // Nothing was sent and no attempt is counted: come back at the turn the gate gave (at least half a
      // second, at most 30 s: a send given a later turn asks again then and is given a new one).
      const delay = Math.round(Math.min(BUSY_RETRY_MAX_MS, Math.max(BUSY_RETRY_MIN_MS, err.retryInMs)) * (0.9 + Math.random() * 0.2));
      metrics.sendSlotWait.observe({ outcome: 'busy' }, delay / 1000);
      throw ApplicationFailure.create({ message: err.message, type: FailureType.SendSlotsBusy, nextRetryDelay: delay });
    }
    try {
      return await send();
    } finally {
      release();
    }
  };
}

/** The send gate of a worker process, shared by its sends and its relay (which starts no more of a tenant's deliveries than its share has room for). */
export function createWorkerSendGate(config: Pick<Config, 'workerConcurrency' | 'tenantMaxInFlight' | 'endpointMaxInFlight'>): SendGate {
  return createSendGate({ total: config.workerConcurrency, perTenant: config.tenantMaxInFlight, perEndpoint: config.endpointMaxInFlight });
}
