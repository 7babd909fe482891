import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { FanOutInput } from './types';

const { fanOutBatch } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2m',
  retry: { maximumInterval: '1m' },
});

/**
 * For events with more subscribers than the API starts inline: the activity starts delivery
 * workflows in batches (from a client, not as children, so one event can reach thousands).
 */
export async function fanOutWorkflow(input: FanOutInput): Promise<{ started: number }> {
  let started = 0;
  let after: string | null = null;
  do {
    const batch: { started: number; lastDeliveryId: string | null } = await fanOutBatch({ ...input, after });
    started += batch.started;
    after = batch.lastDeliveryId;
  } while (after !== null);
  return { started };
}
