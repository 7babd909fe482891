/**
 * Event types are data (the `event_types` table, seeded from deploy/event-types.yaml, managed through
 * the admin API): see domain/event-catalogue.ts and services/event-types.ts. What stays here is pure.
 */

/** Types only Hookline itself emits. */
export const RESERVED_EVENT_TYPES = new Set(['webhook.test', 'webhook.disabled']);

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
