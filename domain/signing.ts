import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks signing (https://www.standardwebhooks.com) plus an optional legacy sha256=<hex> header. */

const SECRET_PREFIX = 'whsec_';

/**
 * The `webhook-id` receivers dedupe on: the same for an event on every retry and redelivery, and
 * different across tenants even when their producers chose the same event id (neither id may hold
 * a newline, so the pair cannot be forged from another). The body keeps the producer's event id.
 */
export function webhookMessageId(tenantId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${tenantId}\n${eventId}`).digest('base64url').slice(0, 32)}`;
}

export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('empty webhook secret');
  return key;
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` for one secret. */
export function signatureFor(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** `sha256=<hex HMAC-SHA256(key, body)>`, the form older receivers (X-Guardian-Signature, X-DevCard-Signature) check. */
export function legacySignatureFor(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secretKey(secret)).update(body).digest('hex')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  [legacy: string]: string;
}

/** Signs with every active secret (newest first), so receivers on either side of a rotation verify. */
export function signRequest(opts: {
  secrets: string[];
  id: string;
  timestampSeconds: number;
  body: string;
  legacyHeader?: string;
}): SignedHeaders {
  if (opts.secrets.length === 0) throw new Error('no active secret to sign with');
  const headers: SignedHeaders = {
    'webhook-id': opts.id,
    'webhook-timestamp': String(opts.timestampSeconds),
    'webhook-signature': opts.secrets.map((s) => signatureFor(s, opts.id, opts.timestampSeconds, opts.body)).join(' '),
  };
  if (opts.legacyHeader) headers[opts.legacyHeader.toLowerCase()] = legacySignatureFor(opts.secrets[0]!, opts.body);
  return headers;
}

export class WebhookVerificationError extends Error {}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * Receiver-side check of what Hookline sends. Throws `WebhookVerificationError` unless the
 * timestamp is within tolerance and one of the `v1` signatures matches. Returns the parsed body.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined> | Headers,
  body: string,
  opts: { toleranceSeconds?: number; nowSeconds?: number } = {},
): unknown {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : headers[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = get('webhook-id');
  const timestamp = get('webhook-timestamp');
  const signatures = get('webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook headers');
  const ts = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(ts)) throw new WebhookVerificationError('bad timestamp');
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - ts) > tolerance) throw new WebhookVerificationError('timestamp outside tolerance');
  const expected = Buffer.from(signatureFor(secret, id, ts, body).slice(3), 'base64');
  const matches = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('no matching signature');
  return JSON.parse(body);
}
