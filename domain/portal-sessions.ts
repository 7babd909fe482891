import { createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Portal session tokens: `ps_` and 32 random bytes, shown once inside the portal link's fragment.
 * Only an HMAC of the token is stored, under a key derived from the encryption key, so a row written
 * by someone without that key matches no token, and a read of the table yields none.
 */
export const PORTAL_TOKEN_PREFIX = 'pst_';

export function generatePortalToken(): string {
  return `${PORTAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function portalTokenKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'hookline portal session token', 32));
}

export function hashPortalToken(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token).digest('hex');
}

export function isPortalToken(token: string): boolean {
  return token.startsWith(PORTAL_TOKEN_PREFIX) && token.length < 200;
}
