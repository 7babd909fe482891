import type { IncomingMessage } from 'node:http';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { HooklineError } from '../domain/errors';

/** Every body but a published event's: tenants, webhooks, rotations. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Past this, the rest of an oversized body is not read: the connection is cut. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

function limitOf(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: (c) => {
      // The rest of the body is still on the wire and the server closes the connection after this
      // answer: say so, so a pooled client opens a new one for its next request. When the body's
      // length is known and bounded, read and drop the rest meanwhile, so the client finishes
      // sending and reads this answer instead of failing on a reset.
      c.header('connection', 'close');
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      const declared = Number(c.req.header('content-length'));
      if (incoming && Number.isFinite(declared) && declared <= DRAIN_MAX_BYTES) incoming.resume();
      throw new HooklineError('payload_too_large', `body: larger than ${maxSize} bytes`);
    },
  });
}

/** One limit on every request: `HOOKLINE_MAX_PAYLOAD_BYTES` for events, 64 KiB for the rest (a body sent to any other route too). */
export function bodyLimits(maxPayloadBytes: number) {
  const events = limitOf(maxPayloadBytes);
  const others = limitOf(DEFAULT_BODY_LIMIT_BYTES);
  return createMiddleware((c, next) => (c.req.path === '/v1/events' ? events(c, next) : others(c, next)));
}

/**
 * An answer given before the request's body was read to its end (a 401, 404 or 415 to a POST, say)
 * says `Connection: close`: the server drains such a body only briefly (500 ms in
 * @hono/node-server) and then drops the connection, and a pooled client that reused it would see
 * its next request fail.
 */
export const closeIfBodyUnread = createMiddleware(async (c, next) => {
  try {
    await next();
  } finally {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
    if (incoming && hasBody && !incoming.readableEnded) c.header('connection', 'close');
  }
});
