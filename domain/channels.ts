/**
 * Channels (Svix's semantics): an event may carry some, an endpoint may list some. An endpoint that
 * lists channels receives only events sharing one of them; an endpoint without channels receives
 * every event its types allow. Matched in SQL at publish time (db/queries/publish.ts).
 */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MAX_CHANNELS = 10;

