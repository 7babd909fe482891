/**
 * Fair share of one worker's send slots. At most `total` sends run at once in this process, at
 * most `perTenant` for one tenant and `perEndpoint` for one endpoint, so a receiver that hangs
 * slows only its own deliveries. A send over its share never waits in its activity slot (a flood's
 * waiters would fill every slot of the worker and starve the other tenants): `acquire` throws
 * `SendSlotsBusy` at once, and the caller retries later, after a server-side timer, without having
 * sent anything. The permits are memory of this process only: a crash frees them with it, so none
 * can be lost or leak across workers.
 */
import { FailureType } from '../../../domain/enums';

export interface SendGateLimits {
  total: number;
  perTenant: number;
  perEndpoint: number;
}

export class SendSlotsBusy extends Error {
  override name = FailureType.SendSlotsBusy;
}

export interface SendGate {
  /** The release function, if this send may go now; else throws SendSlotsBusy. */
  acquire(tenantId: string, endpointId: string, endpointCap?: number): () => void;
  readonly inFlight: number;
}

export function createSendGate(limits: SendGateLimits): SendGate {
  let total = 0;
  const byTenant = new Map<string, number>();
  const byEndpoint = new Map<string, number>();

  const count = (m: Map<string, number>, key: string) => m.get(key) ?? 0;
  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = count(m, key) + by;
    if (n === 0) m.delete(key);
    else m.set(key, n);
  };

  return {
    get inFlight() {
      return total;
    },
    acquire(tenantId, endpointId, endpointCap = limits.perEndpoint) {
      // An endpoint's own setting (maxInFlight) may be above or below the worker's default share.
      const cap = Math.max(1, Math.min(endpointCap, limits.total));
      if (count(byEndpoint, endpointId) >= cap) throw new SendSlotsBusy(`endpoint ${endpointId} has ${cap} sends running in this worker`);
      if (count(byTenant, tenantId) >= limits.perTenant) throw new SendSlotsBusy(`tenant ${tenantId} has its share of this worker's sends running`);
      if (total >= limits.total) throw new SendSlotsBusy('every send slot of this worker is taken');
      total += 1;
      bump(byTenant, tenantId, 1);
      bump(byEndpoint, endpointId, 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        bump(byTenant, tenantId, -1);
        bump(byEndpoint, endpointId, -1);
      };
    },
  };
}
