/**
 * What goes wrong in a use case, as a code the API maps to an HTTP status in one place
 * (api/errors.ts). Services throw these; nothing below the API knows about HTTP.
 */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class HooklineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** When the caller may try again (the API says it as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** A 429: over a limit until `retryAfterSeconds` from now. */
export const rateLimited = (message: string, retryAfterSeconds: number) => new HooklineError('rate_limited', message, retryAfterSeconds);

export const notFound = (what: string) => new HooklineError('not_found', `${what} not found`);
/** A 400 that names the field: "url: must use https in production". */
export const invalid = (field: string, message: string) => new HooklineError('invalid_request', `${field}: ${message}`);
export const conflict = (message: string) => new HooklineError('conflict', message);
