import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { legacySignatureFor, secretKey, signatureFor } from './signing';
import type { LegacySignature } from './tenant-settings';
import { weakKeyProblem } from './weak-keys';

/**
 * An endpoint's signing keys. `v1`: a shared `whsec_` secret (HMAC-SHA256). `v1a`: an ed25519 key
 * pair (Standard Webhooks' asymmetric scheme): the private key never leaves Hookline, sealed at rest
 * as secrets are; receivers verify with the public key `whpk_<base64 of the raw 32 bytes>`.
 */
export const SIGNATURE_SCHEMES = ['v1', 'v1a'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** One active key as the sender holds it: the `whsec_` secret, or the PKCS#8 private key (base64 DER). */
export interface SigningKey {
  scheme: SignatureScheme;
  secret: string;
}

export function generateEd25519Key(): { privateKey: string; publicKey: string } {
  const pair = generateKeyPairSync('ed25519');
  const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { privateKey: pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), publicKey: `whpk_${raw.toString('base64')}` };
}

/**
 * Why an imported secret is unusable, or null: `whsec_` and the base64 of 24 to 64 bytes (Svix's and
 * the Standard's form), not visibly guessable (see weakKeyProblem).
 */
export function importedSecretProblem(secret: string): string | null {
  if (!secret.startsWith('whsec_')) return 'must start with whsec_';
  const encoded = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return 'must be whsec_ followed by standard base64';
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return `must hold 24 to 64 bytes of key (it holds ${bytes.length})`;
  return weakKeyProblem(bytes);
}

/** `v1a,<base64 ed25519 signature over "<id>.<timestamp>.<body>">`. */
export function asymmetricSignatureFor(privateKey: string, id: string, timestampSeconds: number, body: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return `v1a,${sign(null, Buffer.from(`${id}.${timestampSeconds}.${body}`), key).toString('base64')}`;
}

/**
 * The signature headers for one attempt: every active key signs (newest first), each by its own
 * scheme; the legacy header (an HMAC) comes from the newest key when it is a v1 secret.
 */
export function signWithKeys(opts: { keys: SigningKey[]; id: string; timestampSeconds: number; body: string; legacy?: LegacySignature | null }): Record<string, string> {
  if (opts.keys.length === 0) throw new Error('no active key to sign with');
  const { id, timestampSeconds: ts, body } = opts;
  const headers: Record<string, string> = {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': opts.keys.map((k) => (k.scheme === 'v1a' ? asymmetricSignatureFor(k.secret, id, ts, body) : signatureFor(k.secret, id, ts, body))).join(' '),
  };
  const newest = opts.keys[0]!;
  if (opts.legacy && newest.scheme === 'v1') {
    headers[opts.legacy.header.toLowerCase()] =
      opts.legacy.format === 'hex' ? createHmac('sha256', secretKey(newest.secret)).update(body).digest('hex') : legacySignatureFor(newest.secret, body);
  }
  return headers;
}

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Receiver-side check of a v1a request, as `verifyWebhook` (domain/signing.ts) is for v1: true when
 * the timestamp is within five minutes and one `v1a,` signature verifies with `publicKey` (whpk_...)
 * over "<webhook-id>.<webhook-timestamp>.<body>", the body exactly as received.
 */
export function verifyAsymmetricWebhook(publicKey: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const get = (name: string) => {
    const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
    return Array.isArray(v) ? v[0] : v;
  };
  const [id, timestamp, signatures] = [get('webhook-id'), get('webhook-timestamp'), get('webhook-signature')];
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const raw = publicKey.startsWith('whpk_') ? Buffer.from(publicKey.slice('whpk_'.length), 'base64') : Buffer.alloc(0);
  if (raw.length !== 32) return false;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  const signed = Buffer.from(`${id}.${timestamp}.${body}`);
  return signatures.split(' ').some((s) => s.startsWith('v1a,') && verify(null, signed, key, Buffer.from(s.slice(4), 'base64')));
}
