import type { DeliveryTarget } from '../../../db/queries/attempts';
import type { SendResult } from '../../../domain/send-result';

export type { SendResult } from '../../../domain/send-result';

/** One delivery's message as Hookline signed it, the same whatever carries it. */
export interface OutboundMessage {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  eventType: string;
  /** The JSON body, exactly as signed. */
  body: string;
  /** What Hookline sets: webhook-id/-timestamp/-signature, the legacy signature, content-type, user-agent. */
  headers: Record<string, string>;
}

/**
 * Where a message goes: one implementation per endpoint type (destinations/), chosen in send.ts.
 * `send` never throws: a timeout, a refused target or a broken connection is a `SendResult` with
 * `status: null` and the `error` said in words (retried by the schedule; `refused` is final).
 */
export interface Destination {
  send(target: DeliveryTarget, message: OutboundMessage, opts: { timeoutMs: number }): Promise<SendResult>;
}
