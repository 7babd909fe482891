import type { DeliveryTarget } from '../../../../db/queries/attempts';
import { TargetRefusedError, type WebhookFetch } from '../../../../infra/webhook-fetch';
import type { Destination, OutboundMessage, SendResult } from '../destination';

const BODY_LIMIT = 1024;

/** An HTTP endpoint: one POST to its URL with its custom headers, redirects not followed. */
export function createHttpDestination(fetch: WebhookFetch): Destination {
  return {
    async send(target: DeliveryTarget, message: OutboundMessage, opts: { timeoutMs: number }): Promise<SendResult> {
      const startedAt = new Date();
      const began = performance.now();
      const done = (r: Omit<SendResult, 'startedAt' | 'durationMs'>): SendResult => ({ startedAt, durationMs: Math.round(performance.now() - began), ...r });
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: withCustomHeaders(target.headers, message.headers),
          body: message.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        const body = await readPrefix(res, BODY_LIMIT);
        const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        return done({
          status: res.status,
          body,
          retryAfter: res.headers.get('retry-after'),
          error: location ? `redirect to ${location} not followed` : null,
          refused: false,
        });
      } catch (err) {
        return done({ status: null, body: null, retryAfter: null, error: describeSendError(err, opts.timeoutMs), refused: isRefusal(err) });
      }
    },
  };
}

/**
 * The endpoint's own headers, then Hookline's. What Hookline sets (type, agent, signatures) wins in
 * any letter case: a custom `X-Sig` beside a legacy `x-sig` would otherwise reach the receiver as
 * one joined value (a tenant may name its legacy header after an endpoint's custom one later).
 */
export function withCustomHeaders(custom: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const taken = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  return { ...Object.fromEntries(Object.entries(custom).filter(([name]) => !taken.has(name.toLowerCase()))), ...own };
}

async function readPrefix(res: Response, limit: number): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    if (size >= limit) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  // Postgres text cannot hold NUL; a cut multi-byte character becomes U+FFFD.
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8').replace(/\0/g, '');
}

function isRefusal(err: unknown): boolean {
  return err instanceof TargetRefusedError || (err instanceof Error && err.cause instanceof TargetRefusedError);
}

function describeSendError(err: unknown, timeoutMs: number): string {
  // undici aborts with a DOMException, which is not an Error instance on Node 20.
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  if (err instanceof TargetRefusedError) return `target refused: ${err.message}`;
  const cause = err instanceof Error ? (err.cause as (Error & { code?: string }) | undefined) : undefined;
  if (cause instanceof TargetRefusedError) return `target refused: ${cause.message}`;
  if (cause?.code) return `connection error: ${cause.code}`;
  if (cause?.message) return `connection error: ${cause.message}`;
  return `request failed: ${err instanceof Error ? err.message : String(err)}`;
}
