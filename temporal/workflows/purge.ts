import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PurgeInput, PurgePosition, PurgeTotals } from './types';

const { purgeBatch } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

const BATCHES_PER_RUN = 200;

/**
 * Retention, enforced: started by the purge schedule (temporal/schedules.ts), it walks the tenants in
 * id order and deletes each one's expired events, deliveries and attempts in bounded batches (the
 * activity's rules: never a pending delivery, never a row younger than the tenant's retention).
 * Continues as new every `batchesPerRun` batches, so its history stays small on any amount of data.
 */
export async function purgeWorkflow(input: PurgeInput = {}): Promise<PurgeTotals> {
  const totals: PurgeTotals = { batches: 0, deliveries: 0, attempts: 0, events: 0, ...input.totals };
  let position: PurgePosition = input.position ?? { tenantId: '', pastIt: false };
  const perRun = input.batchesPerRun ?? BATCHES_PER_RUN;
  for (let i = 0; i < perRun && !workflowInfo().continueAsNewSuggested; i++) {
    const batch = await purgeBatch(position);
    if (batch.next === null) return totals;
    totals.batches += 1;
    totals.deliveries += batch.deliveries;
    totals.attempts += batch.attempts;
    totals.events += batch.events;
    position = batch.next;
  }
  return continueAsNew<typeof purgeWorkflow>({ position, totals, batchesPerRun: input.batchesPerRun });
}
