import { withTenant } from '../../db/sql';
import { publishEvent } from '../../services/publish';
import { signalEndpointWorkflow } from '../endpoint-client';
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
      await withTenant(sql, input.tenantId, (tx) =>
        tx`update endpoints set consecutive_failures = ${input.consecutiveFailures}, updated_at = now() where id = ${input.endpointId}`,
      );
      return { disableAfterFailures: config.disableAfterFailures };
    },

    /** Disables the endpoint and sends `webhook.disabled` to the tenant's endpoints that subscribe to it by name. */
    async disableEndpoint(input: EndpointIds & { reason: DisabledReason; consecutiveFailures: number; noticeEventId: string }): Promise<void> {
      const endpoint = await withTenant(sql, input.tenantId, async (tx) => {
        const changed = await tx`
          update endpoints set enabled = false, disabled_at = now(), disabled_reason = ${input.reason},
            consecutive_failures = ${input.consecutiveFailures}, updated_at = now()
          where id = ${input.endpointId} and enabled returning id`;
        if (changed.length > 0) metrics.endpointsDisabled.inc({ reason: input.reason });
        const [row] = await tx<{ url: string; disabledAt: Date | null }[]>`
          select url, disabled_at from endpoints where id = ${input.endpointId}`;
        return row;
      });
      if (!endpoint) return; // deleted meanwhile
      log.warn({ endpointId: input.endpointId, tenantId: input.tenantId, reason: input.reason }, 'endpoint disabled');
      await publishEvent(
        { sql, client, config },
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
      const [exists] = await withTenant(sql, input.tenantId, (tx) => tx`select 1 as one from endpoints where id = ${input.endpointId}`);
      if (!exists) return;
      await signalEndpointWorkflow(client, config.temporal.taskQueue, input, deliveryOutcomeSignal, input.outcome);
    },
  };
}
