import type { CircuitSettings, CircuitView } from '../../domain/circuit';
import { effectiveCircuit } from '../../domain/tenant-settings';
import { saveCircuit } from '../../db/queries/circuit';
import { emitOperatorEvent } from '../../db/queries/operator';
import { getTenantSettings } from '../../db/queries/tenant-settings';
import { withTenant } from '../../db/sql';
import type { ActivityDeps } from './deps';

export interface SaveCircuitInput {
  tenantId: string;
  endpointId: string;
  circuit: CircuitView & { opens: number };
  /** The operator hears of an opening and of the closing after it (endpoint.circuit_opened / _closed). */
  notify?: 'opened' | 'closed';
}

/** Side effects of the endpoint workflow's circuit breaker: mirror its state, tell the operator. */
export function createCircuitActivities({ sql, config, log }: ActivityDeps) {
  return {
    /** Mirrors the workflow's circuit into the endpoint row and answers the settings that apply to the tenant now. */
    async saveCircuitState(input: SaveCircuitInput): Promise<CircuitSettings> {
      return withTenant(sql, input.tenantId, async (tx) => {
        const saved = await saveCircuit(tx, input.endpointId, input.circuit);
        if (saved && input.notify) {
          await emitOperatorEvent(tx, config, input.tenantId, input.notify === 'opened' ? 'endpoint.circuit_opened' : 'endpoint.circuit_closed', {
            tenantId: input.tenantId,
            endpointId: input.endpointId,
            url: saved.url,
            ...input.circuit,
          });
          log.warn({ endpointId: input.endpointId, tenantId: input.tenantId, circuit: input.circuit.state }, `endpoint circuit ${input.notify}`);
        }
        return effectiveCircuit(await getTenantSettings(tx), config.circuit);
      });
    },
  };
}
