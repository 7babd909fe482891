import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import { purgeWorkflow } from './workflows/purge';

/**
 * The purge schedule: one per deployment (its task queue names it, as the outbox rows are its
 * own), created by every worker at start. Creating is idempotent (an existing schedule is kept and
 * only updated when the interval changed), so any number of workers may start at once. A run still
 * going when the next is due makes that one skip.
 */
export const purgeScheduleId = (taskQueue: string) => `hookline-purge-${taskQueue}`;

export async function ensurePurgeSchedule(client: Client, config: Config, log: Logger): Promise<'created' | 'updated' | 'unchanged'> {
  const { taskQueue } = config.temporal;
  const scheduleId = purgeScheduleId(taskQueue);
  const spec = { intervals: [{ every: config.retention.purgeIntervalMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: purgeWorkflow, workflowId: `purge-${taskQueue}`, taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10m' },
    });
    log.info({ scheduleId, everyMs: config.retention.purgeIntervalMs }, 'purge schedule created');
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const every = current.spec.intervals?.map((i) => i.every);
  if (every?.length === 1 && every[0] === Math.round(config.retention.purgeIntervalMs / 1000) * 1000) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec }));
  log.info({ scheduleId, everyMs: config.retention.purgeIntervalMs }, 'purge schedule updated');
  return 'updated';
}
