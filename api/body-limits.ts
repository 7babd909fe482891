import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { HooklineError } from '../domain/errors';

/** Every body but a published event's: tenants, webhooks, rotations. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

function limitOf(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: (c) => {
      // The rest of the body is still on the wire; answering without reading it leaves the socket
      // unusable, so say so: a pooled client then opens a new connection for its next request.
      c.header('connection', 'close');
      throw new HooklineError('payload_too_large', `body: larger than ${maxSize} bytes`);
    },
  });
}

/** One limit on every route with a body: `HOOKLINE_MAX_PAYLOAD_BYTES` for events, 64 KiB for the rest. */
export function bodyLimits(maxPayloadBytes: number) {
  const events = limitOf(maxPayloadBytes);
  const others = limitOf(DEFAULT_BODY_LIMIT_BYTES);
  return createMiddleware((c, next) => (c.req.path === '/v1/events' ? events(c, next) : others(c, next)));
}
