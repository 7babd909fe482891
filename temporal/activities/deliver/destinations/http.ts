import type { DeliveryTarget } from '../../../../db/queries/attempts';
import { TargetRefusedError, type WebhookFetch } from '../../../../infra/webhook-fetch';
import { TokenRequestError } from './oauth2-request';
import type { Destination, OutboundMessage, SendResult } from '../destination';
import { authorizationFor, clientTlsFor, type Authorization } from './http-auth';
import { createTokenCache } from './oauth2-tokens';

const BODY_LIMIT = 1024;

/**
 * An HTTP endpoint: one POST to its URL with its custom headers, redirects not followed; with the
 * endpoint's auth (an OAuth2 token refreshed once when the receiver answers 401) and client certificate.
 */
export function createHttpDestination(fetch: WebhookFetch, config: { encryptionKey: Buffer; version: string }): Destination {
  const authDeps = { fetch, encryptionKey: config.encryptionKey, tokens: createTokenCache(), userAgent: `Hookline/${config.version}` };
  return {
    async send(target: DeliveryTarget, message: OutboundMessage, opts: { timeoutMs: number }): Promise<SendResult> {
      const startedAt = new Date();
      const began = performance.now();
      const done = (r: Omit<SendResult, 'startedAt' | 'durationMs'>): SendResult => ({ startedAt, durationMs: Math.round(performance.now() - began), ...r });
      // One deadline for the whole attempt: a token request, the POST, and a refresh with its resend.
      const signal = AbortSignal.timeout(opts.timeoutMs);
      let authorization: Authorization | null;
      try {
        authorization = await authorizationFor(authDeps, target, message.endpointId, signal);
      } catch (err) {
        return done({ status: null, body: null, retryAfter: null, error: `no OAuth2 token: ${describeSendError(err, opts.timeoutMs)}`, refused: isRefusal(err) });
      }
      const tls = clientTlsFor(config.encryptionKey, target, message.endpointId);
      const post = (auth: string | undefined) =>
        fetch(target.url, {
          method: 'POST',
          headers: withCustomHeaders(target.headers, message.headers, auth),
          body: message.body,
          redirect: 'manual',
          signal,
        }, { tls });
      try {
        const res = await postAuthorized(post, authorization);
        if (res instanceof NoNewToken) return done({ status: null, body: null, retryAfter: null, error: `401 to the OAuth2 token, then no new token: ${describeSendError(res.cause, opts.timeoutMs)}`, refused: isRefusal(res.cause) });
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

class NoNewToken {
  constructor(readonly cause: unknown) {}
}

/** Posts with the endpoint's auth; an OAuth2 token the receiver refuses (401) is replaced once and the post repeated. */
async function postAuthorized(post: (auth: string | undefined) => Promise<Response>, authorization: Authorization | null): Promise<Response | NoNewToken> {
  const res = await post(authorization?.header);
  if (res.status !== 401 || !authorization?.refresh) return res;
  await res.body?.cancel().catch(() => {});
  let fresh: string;
  try {
    fresh = await authorization.refresh();
  } catch (err) {
    return new NoNewToken(err);
  }
  return post(fresh);
}

/**
 * The endpoint's own headers, then Hookline's. What Hookline sets (type, agent, signatures) wins in
 * any letter case: a custom `X-Sig` beside a legacy `x-sig` would otherwise reach the receiver as
 * one joined value (a tenant may name its legacy header after an endpoint's custom one later).
 */
export function withCustomHeaders(custom: Record<string, string>, own: Record<string, string>, authorization?: string): Record<string, string> {
  // The endpoint's auth replaces a custom Authorization header, and never Hookline's own headers.
  const mine = authorization === undefined || Object.keys(own).some((k) => k.toLowerCase() === 'authorization') ? own : { authorization, ...own };
  const taken = new Set(Object.keys(mine).map((k) => k.toLowerCase()));
  return { ...Object.fromEntries(Object.entries(custom).filter(([name]) => !taken.has(name.toLowerCase()))), ...mine };
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
  if (err instanceof TokenRequestError) return err.message;
  const cause = err instanceof Error ? (err.cause as (Error & { code?: string }) | undefined) : undefined;
  if (cause instanceof TargetRefusedError) return `target refused: ${cause.message}`;
  if (cause?.code) return `connection error: ${cause.code}`;
  if (cause?.message) return `connection error: ${cause.message}`;
  return `request failed: ${err instanceof Error ? err.message : String(err)}`;
}
