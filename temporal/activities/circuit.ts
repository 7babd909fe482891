import { coolDownFor, type CircuitState } from '../../domain/circuit';
import { effectiveCircuit } from '../../domain/tenant-settings';
import { setCircuit } from '../../db/queries/circuit';
import { emitOperatorEvent } from '../../db/queries/operator';
import { getTenantSettings } from '../../db/queries/tenant-settings';
import { withTenant } from '../../db/sql';
import type { ActivityDeps } from './deps';

export interface SetCircuitInput {
  tenantId: string;
  endpointId: string;
  state: CircuitState;
  /** Openings in a row without a success between them (the cool-down doubles with each). */
  opens: number;
  /** The operator hears of an opening and of the closing after it (endpoint.circuit_opened / _closed). */
  notify?: 'opened' | 'closed';
}

/** Side effects of the endpoint workflow's circuit breaker: mirror its state, time its cool-down, tell the operator. */
export function createCircuitActivities({ sql, config, log }: ActivityDeps) {
  return {
    /**
     * Mirrors the workflow's circuit into the endpoint row. Opening: the cool-down before the next
     * probe, from the tenant's settings as they are now (null when the endpoint is gone).
     */
    async setCircuitState(input: SetCircuitInput): Promise<{ probeInMs: number | null }> {
      return withTenant(sql, input.tenantId, async (tx) => {
        const settings = effectiveCircuit(await getTenantSettings(tx), config.circuit);
        const coolDownMs = coolDownFor(Math.max(1, input.opens), settings);
        const saved = await setCircuit(tx, input.endpointId, { state: input.state, opens: input.opens, coolDownMs });
        if (!saved) return { probeInMs: null };
        if (input.notify) {
          const { url, ...circuit } = saved;
          await emitOperatorEvent(tx, config, input.tenantId, input.notify === 'opened' ? 'endpoint.circuit_opened' : 'endpoint.circuit_closed', {
            tenantId: input.tenantId,
            endpointId: input.endpointId,
            url,
            circuit,
          });
          log.warn({ endpointId: input.endpointId, tenantId: input.tenantId, circuit: saved.state }, `endpoint circuit ${input.notify}`);
        }
        return { probeInMs: input.state === 'open' ? coolDownMs : null };
      });
    },
  };
}
