/**
 * Fair share of one worker's send slots. At most `total` sends run at once in this process, at
 * most `perTenant` for one tenant and `perEndpoint` for one endpoint, so a receiver that hangs
 * slows only its own deliveries. A send over its share waits for a slot (a bounded queue per
 * endpoint, a bounded wait); past either bound `acquire` throws `SendSlotsBusy`, and the caller
 * retries later without having sent anything. The permits are memory of this process only: a
 * crash frees them with it, so none can be lost or leak across workers.
 */
export interface SendGateLimits {
  total: number;
  perTenant: number;
  perEndpoint: number;
  /** Longest a send waits for a slot before giving up its activity slot. */
  maxWaitMs: number;
}

export class SendSlotsBusy extends Error {
  override name = 'SendSlotsBusy';
}

interface Waiter {
  tenantId: string;
  endpointId: string;
  endpointCap: number;
  grant: () => void;
}

export interface SendGate {
  /** Resolves with the release function once this send may go. */
  acquire(tenantId: string, endpointId: string, endpointCap?: number): Promise<() => void>;
  readonly inFlight: number;
}

export function createSendGate(limits: SendGateLimits): SendGate {
  let total = 0;
  const byTenant = new Map<string, number>();
  const byEndpoint = new Map<string, number>();
  const queuedByEndpoint = new Map<string, number>();
  const waiters: Waiter[] = [];

  const count = (m: Map<string, number>, key: string) => m.get(key) ?? 0;
  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = count(m, key) + by;
    if (n === 0) m.delete(key);
    else m.set(key, n);
  };
  const fits = (tenantId: string, endpointId: string, endpointCap: number) =>
    total < limits.total && count(byTenant, tenantId) < limits.perTenant && count(byEndpoint, endpointId) < endpointCap;

  function take(tenantId: string, endpointId: string): () => void {
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
      wakeWaiters();
    };
  }

  // Oldest first, but a waiter whose endpoint or tenant is still full does not hold up the others.
  function wakeWaiters(): void {
    for (let i = 0; i < waiters.length && total < limits.total; ) {
      const w = waiters[i]!;
      if (fits(w.tenantId, w.endpointId, w.endpointCap)) {
        waiters.splice(i, 1);
        w.grant();
      } else i += 1;
    }
  }

  return {
    get inFlight() {
      return total;
    },
    acquire(tenantId, endpointId, endpointCap = limits.perEndpoint) {
      // An endpoint's own setting (maxInFlight) may be above or below the worker's default share.
      const cap = Math.max(1, Math.min(endpointCap, limits.total));
      if (fits(tenantId, endpointId, cap)) return Promise.resolve(take(tenantId, endpointId));
      if (limits.maxWaitMs <= 0) return Promise.reject(new SendSlotsBusy(`endpoint ${endpointId} or its tenant has its share of this worker's sends running`));
      if (count(queuedByEndpoint, endpointId) >= cap) return Promise.reject(new SendSlotsBusy(`endpoint ${endpointId} has ${cap} sends running and ${cap} waiting`));
      bump(queuedByEndpoint, endpointId, 1);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          tenantId,
          endpointId,
          endpointCap: cap,
          grant: () => {
            clearTimeout(timer);
            bump(queuedByEndpoint, endpointId, -1);
            resolve(take(tenantId, endpointId));
          },
        };
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          bump(queuedByEndpoint, endpointId, -1);
          reject(new SendSlotsBusy(`no send slot for endpoint ${endpointId} within ${limits.maxWaitMs} ms`));
        }, limits.maxWaitMs);
        waiters.push(waiter);
      });
    },
  };
}
