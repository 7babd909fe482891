/**
 * Fair share of one worker's send slots. At most `total` sends run at once in this process, at
 * most `perTenant` for one tenant and `perEndpoint` for one endpoint, so a receiver that hangs
 * slows only its own deliveries. A send over its share never waits in its activity slot (a flood's
 * waiters would fill every slot of the worker and starve the other tenants): `acquire` throws
 * `SendSlotsBusy` at once, and the caller retries later, after a server-side timer, without having
 * sent anything. The permits are memory of this process only: a crash frees them with it, so none
 * can be lost or leak across workers.
 *
 * Each refusal also says when to come back: the refused sends of a full lane (an endpoint, a tenant,
 * the worker) are given turns spaced by the lane's average send time over its slots, as a queue
 * would serve them. A thousand deliveries over their share thus come back about once each, when a
 * slot is likely free, instead of retrying on a blind backoff every few seconds: under a flood of
 * hanging receivers those retries were most of the worker's and the engine's work.
 */
import { FailureType } from '../../../domain/enums';

export interface SendGateLimits {
  total: number;
  perTenant: number;
  perEndpoint: number;
}

export class SendSlotsBusy extends Error {
  override name = FailureType.SendSlotsBusy;
  /** When a slot of the full lane is likely free for this send, in ms from now (before jitter). */
  constructor(message: string, readonly retryInMs: number) {
    super(message);
  }
}

export interface SendGate {
  /** The release function, if this send may go now; else throws SendSlotsBusy. */
  acquire(tenantId: string, endpointId: string, endpointCap?: number, deliveryId?: string): () => void;
  readonly inFlight: number;
  /** Each tenant with sends running or admitted here, and how many more it may start (0: its share is full, or refused sends of it wait for their turns). */
  tenantRoom(): Map<string, number>;
  /**
   * Each endpoint with sends running or admitted here, and how many (`LANE_WAITING` while refused
   * sends of it wait for their turns). The claim compares it with the endpoint's own cap, which this
   * worker learns only when one of its sends asks.
   */
  endpointBusy(): Map<string, number>;
  /**
   * Counts a delivery the relay is starting here against its tenant's and endpoint's room until its
   * send asks for a slot or its first attempt ends without sending (`settle`), so claims made before
   * the sends reach the gate see them; for at most `ADMITTED_FOR_MS` (its first attempt may run in
   * another worker, or never start).
   */
  admit(tenantId: string, endpointId: string, deliveryId: string): void;
  /** The cap of one endpoint's sends here: its own maxInFlight once a send of it asked, else the default share. */
  endpointCap(endpointId: string): number;
  /** The delivery's attempt ended (sent or not): it no longer counts as admitted. A full lane it frees wakes the listeners. */
  settle(deliveryId: string): void;
  /** The share of one tenant. */
  readonly perTenant: number;
  /** The default share of one endpoint. */
  readonly perEndpoint: number;
  /** Calls `listener` when a tenant or endpoint whose share was full ends a send; returns the way to stop. */
  onTenantFreed(listener: (tenantId: string) => void): () => void;
}

/** What `endpointBusy` says of an endpoint whose refused sends wait for turns: no room, whatever its cap. */
export const LANE_WAITING = 1_000_000;

/** How long an admitted delivery counts against its room without its send asking for a slot. */
export const ADMITTED_FOR_MS = 2_000;

/** The send time assumed for a lane before any of its sends has ended. */
const ASSUMED_SEND_MS = 1_000;
/** How much each ended send moves a lane's average send time. */
const AVERAGE_WEIGHT = 0.2;
/** How long a lane that gave turns is remembered once nothing of it runs. */
const KEEP_AFTER_LAST_TURN_MS = 60_000;
/** Lanes left idle are swept out every this many sends. */
const SWEEP_EVERY = 1_000;

interface Lane {
  inFlight: number;
  /** Average duration of this lane's recent sends. */
  averageMs?: number;
  /** The end of the last turn handed to a refused send. */
  lastTurnAt: number;
  /** The lane's cap as its last send asked (an endpoint's own maxInFlight). */
  cap?: number;
  /** Deliveries admitted for this lane that still count. */
  admitted: number;
}

interface Admission {
  tenantId: string;
  tenant: Lane;
  endpoint: Lane;
  until: number;
}

export function createSendGate(limits: SendGateLimits, now: () => number = Date.now): SendGate {
  const all: Lane = { inFlight: 0, lastTurnAt: 0, admitted: 0 };
  const byTenant = new Map<string, Lane>();
  const byEndpoint = new Map<string, Lane>();
  /** By delivery id, in the order admitted (so oldest, and first to lapse, first). */
  const admissions = new Map<string, Admission>();

  const idle = (): Lane => ({ inFlight: 0, lastTurnAt: 0, admitted: 0 });
  const drop = (deliveryId: string, a: Admission) => {
    admissions.delete(deliveryId);
    a.tenant.admitted -= 1;
    a.endpoint.admitted -= 1;
  };
  /** Drops the delivery's admission, if it has one. */
  const unadmit = (deliveryId: string) => {
    const a = admissions.get(deliveryId);
    if (a) drop(deliveryId, a);
  };
  /** Admitted deliveries of the lane still counting (the lapsed ones, oldest first, dropped). */
  const waiting = (l: Lane) => {
    const at = now();
    for (const [id, a] of admissions) {
      if (a.until > at) break;
      drop(id, a);
    }
    return l.admitted;
  };
  const refuse = (l: Lane, cap: number, message: string): never => {
    const at = now();
    l.lastTurnAt = Math.max(at, l.lastTurnAt) + (l.averageMs ?? ASSUMED_SEND_MS) / cap;
    throw new SendSlotsBusy(message, l.lastTurnAt - at);
  };
  const end = (l: Lane, tookMs: number) => {
    l.inFlight -= 1;
    l.averageMs = l.averageMs === undefined ? tookMs : l.averageMs + AVERAGE_WEIGHT * (tookMs - l.averageMs);
  };
  // A lane is kept while it has sends running, and for a minute after the last turn it gave (its
  // average then serves the next wave of a flood whose sends all ended together); then forgotten.
  const stale = (l: Lane) => l.inFlight === 0 && waiting(l) === 0 && l.lastTurnAt + KEEP_AFTER_LAST_TURN_MS <= now();
  const forget = (m: Map<string, Lane>, key: string, l: Lane) => {
    if (stale(l)) m.delete(key);
  };
  const current = (l: Lane | undefined) => (l && !stale(l) ? l : idle());
  let acquires = 0;
  const sweep = () => {
    for (const m of [byTenant, byEndpoint]) for (const [key, l] of m) forget(m, key, l);
  };

  const freed: ((tenantId: string) => void)[] = [];

  /** `of` each lane with sends running or admitted, or refused sends waiting for turns (then `busy` is null: they go first). */
  const lanesIn = (lanes: Map<string, Lane>, of: (busy: number | null) => number) => {
    const at = now();
    const out = new Map<string, number>();
    for (const [id, l] of lanes) {
      const admitted = waiting(l);
      if (l.inFlight > 0 || admitted > 0 || l.lastTurnAt > at) out.set(id, of(l.lastTurnAt > at ? null : l.inFlight + admitted));
    }
    return out;
  };
  const lane = (m: Map<string, Lane>, key: string) => {
    const l = current(m.get(key));
    m.set(key, l);
    return l;
  };
  const endpointCapOf = (l: Lane) => l.cap ?? limits.perEndpoint;
  /** Its sends and the deliveries admitted to it reach `cap`: the relay holds rows back for such a lane. */
  const full = (l: Lane, cap: number) => l.inFlight + l.admitted >= cap;

  return {
    get inFlight() {
      return all.inFlight;
    },
    perTenant: limits.perTenant,
    perEndpoint: limits.perEndpoint,
    tenantRoom: () => lanesIn(byTenant, (busy) => (busy === null ? 0 : Math.max(0, limits.perTenant - busy))),
    endpointBusy: () => lanesIn(byEndpoint, (busy) => busy ?? LANE_WAITING),
    endpointCap: (endpointId) => endpointCapOf(current(byEndpoint.get(endpointId))),
    admit(tenantId, endpointId, deliveryId) {
      if (admissions.has(deliveryId)) return;
      const a: Admission = { tenantId, tenant: lane(byTenant, tenantId), endpoint: lane(byEndpoint, endpointId), until: now() + ADMITTED_FOR_MS };
      a.tenant.admitted += 1;
      a.endpoint.admitted += 1;
      admissions.set(deliveryId, a);
    },
    settle(deliveryId) {
      const a = admissions.get(deliveryId);
      if (!a) return;
      // Full with this admission: once it is dropped, the relay may claim what it held back.
      const wasFull = full(a.tenant, limits.perTenant) || full(a.endpoint, endpointCapOf(a.endpoint));
      drop(deliveryId, a);
      if (wasFull) for (const listener of freed) listener(a.tenantId);
    },
    onTenantFreed(listener) {
      freed.push(listener);
      return () => void freed.splice(freed.indexOf(listener) >>> 0, 1);
    },
    acquire(tenantId, endpointId, endpointCap = limits.perEndpoint, deliveryId) {
      if (++acquires % SWEEP_EVERY === 0) sweep();
      // An endpoint's own setting (maxInFlight) may be above or below the worker's default share.
      const cap = Math.max(1, Math.min(endpointCap, limits.total));
      // This send no longer waits to ask: its admission, if the relay made one, stops counting.
      if (deliveryId !== undefined) unadmit(deliveryId);
      const endpoint = current(byEndpoint.get(endpointId));
      const tenant = current(byTenant.get(tenantId));
      endpoint.cap = cap;
      if (endpoint.inFlight >= cap) refuse(endpoint, cap, `endpoint ${endpointId} has ${cap} sends running in this worker`);
      if (tenant.inFlight >= limits.perTenant) refuse(tenant, limits.perTenant, `tenant ${tenantId} has its share of this worker's sends running`);
      if (all.inFlight >= limits.total) refuse(all, limits.total, 'every send slot of this worker is taken');
      byEndpoint.set(endpointId, endpoint);
      byTenant.set(tenantId, tenant);
      for (const l of [all, tenant, endpoint]) l.inFlight += 1;
      const startedAt = now();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const took = now() - startedAt;
        const wasFull = full(tenant, limits.perTenant) || full(endpoint, cap);
        for (const l of [all, tenant, endpoint]) end(l, took);
        if (wasFull) for (const listener of freed) listener(tenantId);
        forget(byTenant, tenantId, tenant);
        forget(byEndpoint, endpointId, endpoint);
      };
    },
  };
}
