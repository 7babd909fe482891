import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from '@hono/zod-openapi';
import { HooklineError, type ErrorCode } from '../domain/errors';
import { isDependencyUnavailable } from '../infra/unavailable';
import { isAbortedToLetOthersThrough } from '../db/sql';
import type { Logger } from '../infra/logger';

/** Every error code's status, mapped once. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

const CODE_FOR_STATUS = Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code])) as Record<number, ErrorCode>;

/** `{ error: { code, message, requestId } }`: the request id is also in the `x-request-id` header and the logs. */
export function errorBody(code: ErrorCode, message: string, requestId?: string) {
  return { error: { code, message, ...(requestId ? { requestId } : {}) } };
}

export function errorResponse(c: Context, code: ErrorCode, message: string) {
  return c.json(errorBody(code, message, c.get('requestId') as string | undefined), ERROR_STATUS[code]);
}

/** Names the failing field: "url: Invalid URL", "events.0: ...", "foo: unknown field". */
export function describeZodError(error: z.ZodError, target: string): string {
  const issue = error.issues[0];
  if (!issue) return `${target}: invalid`;
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${issue.path.join('.')}.` : '';
    return `${prefix}${issue.keys.join(', ')}: unknown field`;
  }
  const field = issue.path.length ? issue.path.join('.') : target;
  return `${field}: ${issue.message}`;
}

/** zod-openapi's hook: a failed validation becomes a 400 naming the field. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError; target: string }, c: Context) {
  if (!result.success) return errorResponse(c, 'invalid_request', describeZodError(result.error, result.target));
}

const FOREIGN_KEY_VIOLATION = '23503';

/** What a log line about a failed request names. */
const request = (c: Context) => ({ requestId: c.get('requestId') as string | undefined, method: c.req.method, path: c.req.path });

export function createErrorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof HooklineError) {
      if (err.code === 'unauthorized') c.header('www-authenticate', 'Bearer');
      if (err.retryAfterSeconds !== undefined) c.header('retry-after', String(err.retryAfterSeconds));
      return errorResponse(c, err.code, err.message);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const message = err.status === 400 && /json/i.test(err.message) ? 'body: malformed JSON' : err.message || 'bad request';
      return errorResponse(c, CODE_FOR_STATUS[err.status] ?? 'invalid_request', message);
    }
    // A write Postgres aborted so a concurrent one could finish (a deadlock or serialization conflict),
    // on a route that does not run it again itself or after its tries: nothing was written, so the
    // client may simply send it again.
    if (isAbortedToLetOthersThrough(err)) {
      log.warn({ err: { message: err.message }, ...request(c) }, 'transaction aborted by a concurrent one');
      c.header('retry-after', '1');
      return errorResponse(c, 'unavailable', 'the change collided with a concurrent one and was not made; retry');
    }
    // The request named rows that existed when it was checked and were deleted before its write (an
    // endpoint deleted while it was tested, patched or recovered): nothing was written.
    if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) {
      log.info(request(c), 'write refers to a row deleted meanwhile');
      return errorResponse(c, 'conflict', 'it refers to something deleted meanwhile; nothing was changed');
    }
    if (isDependencyUnavailable(err)) {
      log.warn({ err: { message: err.message }, ...request(c) }, 'dependency unavailable');
      c.header('retry-after', '1');
      return errorResponse(c, 'unavailable', 'Temporal or Postgres is unavailable; retry (publishing again with the same id is safe)');
    }
    log.error({ err, ...request(c) }, 'request failed');
    return errorResponse(c, 'internal', 'internal error');
  };
}
