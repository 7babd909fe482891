/** Inputs, outputs and messages of Hookline's workflows. Ids only: never a secret, never an event body. */
import type { DeliveryKind, DisabledReason, FailureType } from '../../domain/enums';

export { FailureType, type DeliveryKind, type DisabledReason } from '../../domain/enums';

export interface DeliveryInput {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  kind: DeliveryKind;
  /**
   * Send as a local activity (inside the workflow task: no activity task, fewer history events).
   * Chosen by whoever starts the workflow (HOOKLINE_LOCAL_SEND) and fixed for its whole run, so a
   * change of setting never changes the commands of a running delivery.
   */
  localSend?: boolean;
  /**
   * The first attempt runs as a local activity inside the first workflow task, every later one as a
   * regular activity after a durable timer. Set by whoever starts the workflow
   * (HOOKLINE_LOCAL_FIRST_ATTEMPT); it takes precedence over `localSend`. Runs started without it
   * keep the path they were started on, so the field, not a patch marker, keeps replay deterministic
   * (a marker would be a seventh history event on every first-try delivery).
   */
  localFirst?: boolean;
  /** A rate-limit slot the previous call reserved (temporal/activities/deliver/rate-slot.ts); absent on the first call. */
  rateSlot?: RateSlot;
}

/** One reserved send time under an endpoint's rate limit: valid for one attempt, at the rate it was made under. */
export interface RateSlot {
  /** ISO time the send may go. */
  at: string;
  /** The endpoint's rate version when reserved (a changed rate voids it). */
  epoch: number;
  /** The delivery's attempt count when reserved (a recorded attempt voids it). */
  attemptsBefore: number;
}

export interface DeliveryResult {
  status: 'success' | 'failed';
  /** Why it failed, as the activity classified it (`DeliveryFailed`, `EndpointGone` or `EndpointDeleted`). */
  failure?: FailureType;
}

/** What a delivery tells its endpoint's workflow when it ends. */
export interface DeliveryOutcome {
  deliveryId: string;
  ok: boolean;
  /** The receiver answered 410 Gone: disable at once. */
  gone: boolean;
}

export interface TestRequest {
  deliveryId: string;
  eventId: string;
}

export interface EndpointState {
  consecutiveFailures: number;
  enabled: boolean;
  disabledReason: DisabledReason | null;
  /** The circuit breaker (domain/circuit.ts); absent in runs from before it: closed. */
  circuit?: CircuitMemory;
}

/** The endpoint workflow's circuit: its state, openings in a row, and when (workflow time, ms) the probe is due or its answer overdue. */
export interface CircuitMemory {
  state: 'closed' | 'open' | 'half_open';
  opens: number;
  dueAt: number | null;
}

/** What an attempt means for the endpoint's circuit: the run of failures reached its threshold, or the probe's answer. */
export type CircuitNews = { event: 'trip' } | { event: 'probe'; ok: boolean };

export type EndpointMessage =
  | ({ kind: 'outcome' } & DeliveryOutcome)
  | ({ kind: 'test' } & TestRequest)
  | { kind: 'enabled'; enabled: boolean }
  | ({ kind: 'circuit' } & CircuitNews)
  | { kind: 'circuitDue' };

export interface EndpointInput {
  tenantId: string;
  endpointId: string;
  /** Carried across continue-as-new. */
  state?: EndpointState;
  pending?: EndpointMessage[];
  /** The FIFO queue has work (it was woken and not drained before continue-as-new). */
  fifoWake?: boolean;
}

export interface FanOutInput {
  tenantId: string;
  eventId: string;
  eventType: string;
}

/** Where the purge is: a tenant id, and whether that tenant is done (start with `{ tenantId: '', pastIt: false }`). */
export interface PurgePosition {
  tenantId: string;
  pastIt: boolean;
}

export interface PurgeTotals {
  batches: number;
  deliveries: number;
  attempts: number;
  events: number;
}

export interface PurgeInput {
  /** Carried across continue-as-new. */
  position?: PurgePosition;
  totals?: PurgeTotals;
  /** Batches per run before continuing as new (tests make it small). */
  batchesPerRun?: number;
}

export interface RecoveryInput {
  tenantId: string;
  recoveryId: string;
}

export const workflowIds = {
  delivery: (deliveryId: string) => `delivery-${deliveryId}`,
  endpoint: (endpointId: string) => `endpoint-${endpointId}`,
  fanOut: (tenantId: string, eventId: string) => `fanout-${tenantId}/${eventId}`,
  recovery: (recoveryId: string) => `recovery-${recoveryId}`,
};
