import { endpointExists, markDisabled, saveFailureCount } from '../../db/queries/endpoints';
import { withTenant } from '../../db/sql';
import { emitOperatorEvent } from '../../db/queries/operator';
import { tenantDisableThreshold } from '../../db/queries/tenant-settings';
import { publishEvent } from '../../services/publish';
import { signalEndpointWorkflow } from '../client';
import { deliveryOutcomeSignal } from '../workflows/messages';
import type { DeliveryOutcome, DisabledReason } from '../workflows/types';
import type { ActivityDeps } from './deps';

interface EndpointIds {
  tenantId: string;
  endpointId: string;
}

/** Side effects of the endpoint workflow: mirror its count, disable, notify, restart it when needed. */
export function createEndpointStateActivities({ sql, client, config, metrics, log }: ActivityDeps) {
  return {
    /** Mirrors the workflow's count into the endpoint row (for the API) and tells it the current threshold. */
    async saveFailureCount(input: EndpointIds & { consecutiveFailures: number }): Promise<{ disableAfterFailures: number }> {
      // The tenant's threshold (tenant settings) over the deployment's, read in the same transaction.
      const threshold = await withTenant(sql, input.tenantId, async (tx) => {
        await saveFailureCount(tx, input.endpointId, input.consecutiveFailures);
        return tenantDisableThreshold(tx);
      });
      return { disableAfterFailures: threshold ?? config.disableAfterFailures };
    },

    /** Disables the endpoint and sends `webhook.disabled` to the tenant's endpoints that subscribe to it by name. */
    async disableEndpoint(input: EndpointIds & { reason: DisabledReason; consecutiveFailures: number; noticeEventId: string }): Promise<void> {
      const endpoint = await withTenant(sql, input.tenantId, async (tx) => {
        const marked = await markDisabled(tx, input.endpointId, { reason: input.reason, consecutiveFailures: input.consecutiveFailures });
        // The operator hears of it in the same transaction (once: only when this call disabled it).
        if (marked?.changed) {
          await emitOperatorEvent(tx, config, input.tenantId, 'endpoint.disabled', {
            tenantId: input.tenantId,
            endpointId: input.endpointId,
            url: marked.url,
            reason: input.reason,
            consecutiveFailures: input.consecutiveFailures,
            disabledAt: marked.disabledAt?.toISOString() ?? null,
          });
        }
        return marked;
      });
      if (!endpoint) return; // deleted meanwhile
      if (endpoint.changed) metrics.endpointsDisabled.inc({ reason: input.reason });
      log.warn({ endpointId: input.endpointId, tenantId: input.tenantId, reason: input.reason }, 'endpoint disabled');
      await publishEvent(
        { sql, config },
        {
          tenantId: input.tenantId,
          id: input.noticeEventId,
          type: 'webhook.disabled',
          data: {
            endpointId: input.endpointId,
            url: endpoint.url,
            reason: input.reason,
            consecutiveFailures: input.consecutiveFailures,
            disabledAt: endpoint.disabledAt?.toISOString() ?? null,
          },
        },
        { explicitOnly: true, excludeEndpointId: input.endpointId },
      );
    },

    /** Delivers an outcome to an endpoint workflow that is not running, starting it (unless the endpoint is gone). */
    async signalEndpoint(input: EndpointIds & { outcome: DeliveryOutcome }): Promise<void> {
      if (!(await withTenant(sql, input.tenantId, (tx) => endpointExists(tx, input.endpointId)))) return;
      await signalEndpointWorkflow(client, config.temporal.taskQueue, input, deliveryOutcomeSignal, input.outcome);
    },
  };
}
