import type { DeliveryTarget } from '../../../../db/queries/attempts';
import { TargetRefusedError, type WebhookAnswer, type WebhookFetch } from '../../../../infra/webhook-fetch';
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
        fetch.post(target.url, { headers: withCustomHeaders(target.headers, message.headers, auth), body: message.body, signal }, { tls });
      try {
        const res = await postAuthorized(post, authorization);
        if (res instanceof NoNewToken) return done({ status: null, body: null, retryAfter: null, error: `401 to the OAuth2 token, then no new token: ${describeSendError(res.cause, opts.timeoutMs)}`, refused: isRefusal(res.cause) });
        // Postgres text cannot hold NUL; a cut multi-byte character becomes U+FFFD.
        const body = (await res.text(BODY_LIMIT))?.replace(/\0/g, '') ?? null;
        const location = res.status >= 300 && res.status < 400 ? res.header('location') : null;
        return done({
          status: res.status,
          body,
          retryAfter: res.header('retry-after'),
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
async function postAuthorized(post: (auth: string | undefined) => Promise<WebhookAnswer>, authorization: Authorization | null): Promise<WebhookAnswer | NoNewToken> {
  const res = await post(authorization?.header);
  if (res.status !== 401 || !authorization?.refresh) return res;
  await res.discard();
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

function isRefusal(err: unknown): boolean {
  return err instanceof TargetRefusedError || (err instanceof Error && err.cause instanceof TargetRefusedError);
}

function describeSendError(err: unknown, timeoutMs: number): string {
  // undici aborts with a DOMException, which is not an Error instance on Node 20.
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  if (err instanceof TargetRefusedError) return `target refused: ${err.message}`;
  if (err instanceof TokenRequestError) return err.message;
  // fetch (token requests) wraps what failed as its cause; request (the POST) rejects with it. Errors
  // from Node's sockets may come from another realm (a test runner's), so no instanceof Error here.
  const failed = typeof err === 'object' && err !== null ? (err as { cause?: unknown; code?: unknown }) : undefined;
  const cause = (failed?.cause ?? (isConnectionCode(failed?.code) ? failed : undefined)) as (Error & { code?: string }) | undefined;
  if (cause instanceof TargetRefusedError) return `target refused: ${cause.message}`;
  if (cause?.code) return `connection error: ${cause.code}`;
  if (cause?.message) return `connection error: ${cause.message}`;
  const message = (failed as { message?: unknown } | undefined)?.message;
  return `request failed: ${typeof message === 'string' ? message : String(err)}`;
}

/** A code of the connection (a system or TLS error, a socket undici closed), not of the request's arguments. */
function isConnectionCode(code: unknown): boolean {
  return typeof code === 'string' && !/^UND_ERR_(INVALID|NOT_SUPPORTED)/.test(code);
}
