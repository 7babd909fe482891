import { recoverBatch } from '../../db/queries/recoveries';
import { withTenant } from '../../db/sql';
import type { RecoveryInput } from '../workflows/types';
import type { ActivityDeps } from './deps';

/** The recovery workflow's one activity: a batch of redeliveries and the cursor, in one transaction. */
export function createRecoveryActivities({ sql, config }: ActivityDeps) {
  return {
    async recoverBatch(input: RecoveryInput): Promise<{ done: boolean; waitMs?: number; queued: number }> {
      return withTenant(sql, input.tenantId, (tx) =>
        recoverBatch(tx, input.recoveryId, {
          config,
          batchSize: config.recoveryBatchSize,
          maxPending: config.recoveryBatchSize * 2,
          redeliverPerMinute: config.tenantRatePerMinute.redeliver,
        }),
      );
    },
  };
}
