import { createHash } from 'node:crypto';
import { tokenUsableUntil, type IssuedToken } from '../../../../domain/endpoint-auth';

/**
 * This worker's OAuth2 access tokens, one per endpoint: kept until shortly before they expire
 * (domain/endpoint-auth.ts), shared by concurrent sends (one token request for all of them, not one
 * each), and dropped when the endpoint's sealed auth changes (the key holds a hash of it) or when
 * a receiver refuses the token.
 */
export interface TokenCache {
  /** The endpoint's token: the cached one while usable, else one new request shared by every caller waiting. */
  token(endpointId: string, sealedAuth: string, request: () => Promise<IssuedToken>): Promise<string>;
  /** Forgets `refused` (a receiver answered 401 to it) unless a newer token already replaced it. */
  forget(endpointId: string, refused: string): void;
}

interface Entry {
  version: string;
  token?: string;
  usableUntil: number;
  pending?: Promise<string>;
}

export function createTokenCache(now: () => number = Date.now): TokenCache {
  const entries = new Map<string, Entry>();
  const versionOf = (sealedAuth: string) => createHash('sha256').update(sealedAuth).digest('hex');

  return {
    async token(endpointId, sealedAuth, request) {
      const version = versionOf(sealedAuth);
      let entry = entries.get(endpointId);
      if (entry?.version !== version) {
        entry = { version, usableUntil: 0 };
        entries.set(endpointId, entry);
      }
      if (entry.token && now() < entry.usableUntil) return entry.token;
      if (entry.pending) return entry.pending;
      const current = entry;
      current.pending = request()
        .then((issued) => {
          current.token = issued.accessToken;
          current.usableUntil = tokenUsableUntil(now(), issued.expiresIn);
          return issued.accessToken;
        })
        .finally(() => {
          current.pending = undefined;
        });
      return current.pending;
    },
    forget(endpointId, refused) {
      const entry = entries.get(endpointId);
      if (entry?.token === refused) {
        entry.token = undefined;
        entry.usableUntil = 0;
      }
    },
  };
}
