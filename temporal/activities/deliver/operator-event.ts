import type { DeliveryTarget } from '../../../db/queries/attempts';
import { emitOperatorEvent } from '../../../db/queries/operator';
import type { Tx } from '../../../db/sql';
import type { Config } from '../../../infra/config';
import type { DeliveryInput } from '../../workflows/types';
import type { SendResult } from './destination';

/** A final failure tells the operator (`delivery.exhausted`), in the transaction that records it. */
export function emitExhausted(tx: Tx, config: Config, input: DeliveryInput, target: DeliveryTarget, attempts: number, sent: SendResult, reason: string): Promise<void> {
  return emitOperatorEvent(tx, config, input.tenantId, 'delivery.exhausted', {
    tenantId: input.tenantId,
    endpointId: input.endpointId,
    url: target.url,
    deliveryId: input.deliveryId,
    eventId: input.eventId,
    eventType: target.eventType,
    kind: input.kind,
    attempts,
    lastResponseStatus: sent.status,
    lastError: sent.error,
    reason,
  });
}
