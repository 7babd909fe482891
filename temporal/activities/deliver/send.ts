import type { DeliveryTarget } from '../../../db/queries/attempts';
import type { DeliveryInput } from '../../workflows/types';
import type { ActivityDeps } from '../deps';
import type { Destination, SendResult } from './destination';
import { createDestinations, type DestinationType } from './destinations';
import { createFairShare } from './fair-share';
import { buildMessage } from './message';
import { tracedSend } from './tracing';

/** The endpoint's type names its destination. */
function destinationType(target: DeliveryTarget): DestinationType {
  return target.type ?? 'http';
}

/** The send stage: sign the message, take a fair-share slot, hand it to the endpoint's destination. */
export function createSend({ fetch, config, metrics, sendGate }: Pick<ActivityDeps, 'fetch' | 'config' | 'metrics' | 'sendGate'>) {
  const destinations: Record<DestinationType, Destination> = createDestinations({ fetch, config });
  const sendFairly = createFairShare(config, metrics, sendGate);

  /** Undefined when `onTime` said no at the last moment (nothing was sent). */
  return async function send(input: DeliveryInput, target: DeliveryTarget, onTime: () => boolean = () => true): Promise<SendResult | undefined> {
    const destination = destinations[destinationType(target)];
    const sent = await sendFairly(input, target, async () => {
      const message = buildMessage(config, input, target);
      // A rate-limited send frozen since its turn (a stalled worker) must not go beside the sends after it.
      if (!onTime()) return undefined;
      return tracedSend(target.url, () => destination.send(target, message, { timeoutMs: config.requestTimeoutMs }));
    });
    if (!sent) return undefined;
    metrics.attemptDuration.observe({ outcome: sent.status === null ? 'error' : String(sent.status) }, sent.durationMs / 1000);
    return sent;
  };
}
