import { createHash } from 'node:crypto';
import type { DeliveryTarget } from '../../../../db/queries/attempts';
import { tlsKeyBinding } from '../../../../domain/client-certificate';
import { authBinding, basicAuthorization, type EndpointAuth } from '../../../../domain/endpoint-auth';
import { decryptSecret } from '../../../../domain/secrets';
import type { ClientTls, WebhookFetch } from '../../../../infra/webhook-fetch';
import { requestToken } from './oauth2-request';
import type { TokenCache } from './oauth2-tokens';

export interface HttpAuthDeps {
  fetch: WebhookFetch;
  encryptionKey: Buffer;
  tokens: TokenCache;
  userAgent: string;
}

/** The Authorization a send carries, and for OAuth2 how to get a fresh one once when the receiver refuses it. */
export interface Authorization {
  header: string;
  refresh?: () => Promise<string>;
}

/**
 * The endpoint's auth, opened here for the one send (never logged, never returned): basic and
 * bearer as they are; oauth2 through this worker's token cache. Throws when a token cannot be had
 * (a TokenRequestError, a refused token URL, a network error): the send then fails like a 5xx.
 */
export async function authorizationFor(deps: HttpAuthDeps, target: DeliveryTarget, endpointId: string, signal: AbortSignal): Promise<Authorization | null> {
  const sealed = target.authCiphertext;
  if (!sealed) return null;
  const auth = JSON.parse(decryptSecret(deps.encryptionKey, sealed, authBinding(endpointId))) as EndpointAuth;
  switch (auth.type) {
    case 'basic':
      return { header: basicAuthorization(auth.username, auth.password) };
    case 'bearer':
      return { header: `Bearer ${auth.token}` };
    case 'oauth2': {
      const token = () => deps.tokens.token(endpointId, sealed, () => requestToken(deps.fetch, auth, signal, deps.userAgent));
      const first = await token();
      return {
        header: `Bearer ${first}`,
        refresh: async () => {
          deps.tokens.forget(endpointId, first);
          return `Bearer ${await token()}`;
        },
      };
    }
  }
}

/** The endpoint's client certificate for mutual TLS; its key is opened only when a connection pool is made for it. */
export function clientTlsFor(encryptionKey: Buffer, target: DeliveryTarget, endpointId: string): ClientTls | undefined {
  const { tlsCertificate, tlsKeyCiphertext } = target;
  if (!tlsCertificate || !tlsKeyCiphertext) return undefined;
  return {
    endpointId,
    // Every change of tls seals the key anew: a new pool for it, even when only the CA changed.
    fingerprint: `${target.tlsFingerprint}:${createHash('sha256').update(tlsKeyCiphertext).digest('hex')}`,
    certificate: tlsCertificate,
    key: () => decryptSecret(encryptionKey, tlsKeyCiphertext, tlsKeyBinding(endpointId)),
    caCertificate: target.tlsCaCertificate,
  };
}
