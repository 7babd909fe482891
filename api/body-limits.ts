import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HooklineError, invalid } from '../domain/errors';

/** Every body but a published event's: tenants, webhooks, rotations. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * An oversized body still on the wire is read and dropped, up to this much and this long, before
 * the 413 is written: a client still sending then reads the answer instead of failing on a reset.
 * Past either bound the answer is written at once and the connection cut.
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/** Reads and drops the rest of a body; false when it ran past DRAIN_MAX_BYTES or DRAIN_MAX_MS. */
async function drainRest(reader: Reader, alreadyRead: number): Promise<boolean> {
  let read = alreadyRead;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DRAIN_MAX_MS)));
  try {
    while (read <= DRAIN_MAX_BYTES) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') return false;
      if (next.done) return true;
      read += next.value.length;
    }
    return false;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
}

function tooLarge(c: Context, maxSize: number): never {
  // The server closes the connection after this answer (the body may not have been read to its
  // end): say so, so a pooled client opens a new one for its next request.
  c.header('connection', 'close');
  throw new HooklineError('payload_too_large', `body: larger than ${maxSize} bytes`);
}

/**
 * A body limit that answers an oversized body, sized or chunked, with a 413 the client gets to read:
 * a sized one is refused from its Content-Length, any other once past the limit, and in both
 * cases the rest is drained (within bounds) first. A body within the limit is buffered once and
 * handed on.
 */
function limitOf(maxSize: number) {
  return createMiddleware(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    // A body without a usable Content-Length (chunked, or a Request built in process) is counted as it is read.
    const length = c.req.raw.headers.has('transfer-encoding') ? undefined : c.req.header('content-length');
    if (length !== undefined) {
      const declared = Number(length);
      if (!(declared > maxSize)) return next();
      if (declared <= DRAIN_MAX_BYTES) await drainRest(body.getReader(), 0);
      tooLarge(c, maxSize);
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read().catch(() => {
        throw invalid('body', 'the request body could not be read to its end');
      });
      if (done) break;
      size += value.length;
      if (size > maxSize) {
        await drainRest(reader, size);
        tooLarge(c, maxSize);
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
    return next();
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
