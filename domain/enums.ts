/** The one definition of every status, kind and reason; the schema's CHECKs and the API's enums match these. */

export const DELIVERY_STATUSES = ['pending', 'success', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_KINDS = ['event', 'test', 'redelivery'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DISABLED_REASONS = ['consecutive_failures', 'gone', 'manual'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

/** Every failure type the deliver activity raises: the first three are final (non-retryable), the rest are retried. */
export const FailureType = {
  DeliveryFailed: 'DeliveryFailed',
  EndpointGone: 'EndpointGone',
  EndpointDeleted: 'EndpointDeleted',
  /** The receiver's answer calls for another attempt (after the schedule's delay or its Retry-After). */
  AttemptFailed: 'AttemptFailed',
  /** Another attempt was recorded while this one ran: reload and look again. */
  AttemptRaced: 'AttemptRaced',
  /** No fair-share send slot in this worker in time: nothing was sent, no attempt counted. */
  SendSlotsBusy: 'SendSlotsBusy',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** What the relay carries from the outbox to Temporal. */
export const OUTBOX_KINDS = ['deliver', 'test', 'set_enabled', 'start_endpoint', 'stop_endpoint', 'recover'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
