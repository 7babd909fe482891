import { z } from '@hono/zod-openapi';
import type { RecoveryProgress } from '../../db/queries/recoveries';
import { RECOVERABLE_STATUSES } from '../../services/recoveries';

const isoDateTime = z.string().max(64).openapi({ format: 'date-time', example: '2026-11-01T00:00:00Z' });

export const RecoverWebhook = z
  .strictObject({
    since: isoDateTime.openapi({ description: 'Deliveries created at or after this time' }),
    until: isoDateTime.optional().openapi({ description: 'Deliveries created at or before this time (default: now)' }),
    statuses: z
      .array(z.enum(RECOVERABLE_STATUSES))
      .min(1)
      .max(2)
      .optional()
      .openapi({ description: 'Which deliveries to re-send (default both)', example: ['failed', 'skipped'] }),
  })
  .openapi('RecoverWebhook');

export const RecoveryStarted = z.object({ recoveryId: z.string() }).openapi('RecoveryStarted');

export const RecoverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    since: z.string(),
    until: z.string(),
    statuses: z.array(z.enum(RECOVERABLE_STATUSES)),
    status: z.enum(['running', 'completed', 'failed']),
    error: z.string().nullable(),
    matched: z.number().int().openapi({ description: 'Matching deliveries found so far' }),
    queued: z.number().int().openapi({ description: 'Redeliveries queued (one per event)' }),
    succeeded: z.number().int().openapi({ description: 'Redeliveries that succeeded' }),
    failed: z.number().int().openapi({ description: 'Redeliveries that failed finally' }),
    pending: z.number().int().openapi({ description: 'Redeliveries still being sent' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi('Recovery');

export function toRecoveryView(r: RecoveryProgress): z.infer<typeof RecoverySchema> {
  return {
    id: r.id,
    endpointId: r.endpointId,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    statuses: r.statuses as z.infer<typeof RecoverySchema>['statuses'],
    status: r.status,
    error: r.error,
    matched: r.matched,
    queued: r.queued,
    succeeded: r.succeeded,
    failed: r.failed,
    pending: r.pending,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    completedAt: r.completedAt ? r.completedAt.toISOString() : null,
  };
}
