import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from '@hono/zod-openapi';
import { isDependencyUnavailable } from '../infra/unavailable';
import type { Logger } from '../infra/logger';

/** Every error answer: `{ error: { code, message } }`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(status, { message });
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const badRequest = (field: string, message: string) => new ApiError(400, 'invalid_request', `${field}: ${message}`);

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
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
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: string },
  c: Context,
) {
  if (!result.success) {
    return c.json(errorBody('invalid_request', describeZodError(result.error, result.target)), 400);
  }
}

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export function createErrorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status);
    if (err instanceof HTTPException && err.status < 500) {
      const message = err.status === 400 && /json/i.test(err.message) ? 'body: malformed JSON' : err.message || 'bad request';
      return c.json(errorBody(STATUS_CODES[err.status] ?? 'invalid_request', message), err.status as ContentfulStatusCode);
    }
    if (isDependencyUnavailable(err)) {
      log.warn({ err: { message: err.message }, method: c.req.method, path: c.req.path }, 'dependency unavailable');
      c.header('retry-after', '1');
      return c.json(errorBody('unavailable', 'Temporal or Postgres is unavailable; retry (publishing again with the same id is safe)'), 503);
    }

    log.error({ err, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json(errorBody('internal', 'internal error'), 500);
  };
}
