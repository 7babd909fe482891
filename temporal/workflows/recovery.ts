import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { RecoveryInput } from './types';

// A batch is one short transaction: a batch lost with its worker is retried after 30 s at most.
const { recoverBatch } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/** Batches per run before handing over to a new run (each is an activity and maybe a timer). */
const BATCHES_PER_RUN = 200;

/**
 * One bulk recovery (POST /v1/webhooks/:id/recover): the activity queues the next batch of
 * redeliveries, oldest first, and moves the recovery's cursor in the same transaction, so this
 * workflow keeps no state of its own: a crash, a retried activity or a new run resumes from the
 * stored cursor. The redeliveries run as ordinary delivery workflows (retries, pause, fair share);
 * a batch waits while the endpoint has too many deliveries pending.
 */
export async function recoveryWorkflow(input: RecoveryInput): Promise<void> {
  for (let batch = 0; batch < BATCHES_PER_RUN && !workflowInfo().continueAsNewSuggested; batch++) {
    const step = await recoverBatch({ tenantId: input.tenantId, recoveryId: input.recoveryId });
    if (step.done) return;
    if (step.waitMs) await sleep(step.waitMs);
  }
  await continueAsNew<typeof recoveryWorkflow>(input);
}
