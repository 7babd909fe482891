import type { Client } from '@temporalio/client';
import { noteCircuitAttempt, passCircuit } from '../../../db/queries/circuit';
import type { DeliveryTarget } from '../../../db/queries/attempts';
import { withTenant, type Sql, type Tx } from '../../../db/sql';
import { circuitSignalOf } from '../../../domain/circuit';
import type { Config } from '../../../infra/config';
import type { Logger } from '../../../infra/logger';
import { signalEndpointWorkflow } from '../../client';
import { circuitSignal } from '../../workflows/messages';
import type { CircuitNews, DeliveryInput } from '../../workflows/types';
import { waitThenRetry, type AttemptResult } from './attempt-result';
import type { SendResult } from './destination';

/** The shortest wait of a delivery held by an open circuit (its probe may be due any moment). */
const OPEN_WAIT_MIN_MS = 1_000;
/** How long a delivery waits while another one holds the half-open probe. */
const HALF_OPEN_WAIT_MS = 2_000;

// Spread, so the deliveries held by one circuit do not all wake at the same instant.
const held = (target: DeliveryTarget, waitMs: number): AttemptResult => waitThenRetry(target.attemptCount, waitMs * (1 + Math.random() * 0.2));

/**
 * Before a send (the circuit breaker, domain/circuit.ts): closed lets it go; open holds it as a wait
 * the workflow sleeps out, with no attempt counted; half-open lets only the delivery that holds the
 * probe go. Test sends are never held.
 */
export async function passCircuitGate(sql: Sql, input: DeliveryInput, target: DeliveryTarget): Promise<AttemptResult | undefined> {
  if (input.kind === 'test' || target.circuitState === 'closed' || target.circuitProbeMine) return undefined;
  if (target.circuitState === 'open') return held(target, Math.max(OPEN_WAIT_MIN_MS, target.circuitWaitMs));
  const pass = await withTenant(sql, input.tenantId, (tx) => passCircuit(tx, input.endpointId, input.deliveryId));
  if (!pass || pass.go) return undefined;
  return held(target, pass.state === 'open' ? Math.max(OPEN_WAIT_MIN_MS, pass.waitMs) : HALF_OPEN_WAIT_MS);
}

/**
 * Counts the attempt's answer into the endpoint's run, in the transaction that records it. Only
 * when it can change something: a tripping answer, a run to end, a circuit not closed. What the
 * endpoint's workflow must hear (the run reached the threshold, or the probe's answer) is returned.
 */
export async function noteCircuit(tx: Tx, config: Pick<Config, 'circuit'>, input: DeliveryInput, target: DeliveryTarget, sent: SendResult): Promise<CircuitNews | undefined> {
  if (input.kind === 'test') return undefined;
  const signal = circuitSignalOf(sent.status);
  if (signal !== 'trip' && target.circuitRun === 0 && target.circuitState === 'closed') return undefined;
  const noted = await noteCircuitAttempt(tx, input.endpointId, input.deliveryId, signal, {
    failures: target.circuitFailures ?? config.circuit.failures,
    windowMs: target.circuitWindowMs ?? config.circuit.windowMs,
  });
  if (noted.probe) return { event: 'probe', ok: signal !== 'trip' };
  return noted.trip ? { event: 'trip' } : undefined;
}

/** Tells the endpoint's workflow; a lost message is made good by the next tripping attempt or the probe's deadline. */
export async function tellCircuit(deps: { client: Client; config: Config; log: Logger }, input: DeliveryInput, news: CircuitNews): Promise<void> {
  try {
    await signalEndpointWorkflow(deps.client, deps.config.temporal.taskQueue, input, circuitSignal, news);
  } catch (err) {
    deps.log.warn({ endpointId: input.endpointId, err: (err as Error).message }, 'could not tell the endpoint workflow of its circuit');
  }
}
