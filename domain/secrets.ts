import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Endpoint secrets: generated here, stored only as AES-256-GCM ciphertext beside a SHA-256 fingerprint. */

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const FORMAT = 'v1';

/** `v1.<iv>.<tag>.<ciphertext>`, base64 parts; the endpoint id is bound in as associated data. */
export function encryptSecret(key: Buffer, secret: string, boundTo: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64'))).join('.');
}

export function decryptSecret(key: Buffer, stored: string, boundTo: string): string {
  const [format, iv, tag, ciphertext] = stored.split('.');
  if (format !== FORMAT || !iv || !tag || !ciphertext) throw new Error('unreadable secret ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
}
