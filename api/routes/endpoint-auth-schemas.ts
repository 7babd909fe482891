import { z } from '@hono/zod-openapi';
import { AUTH_TYPES, CLIENT_AUTH_METHODS } from '../../domain/endpoint-auth';
import { certificateWarning } from '../../domain/client-certificate';
import type { EndpointRow } from '../../db/queries/endpoints';

/**
 * Endpoint authentication and mutual TLS (HTTP endpoints): the request fields, write-only and sealed,
 * and what answers show. Shapes are checked in full by domain/endpoint-auth.ts and
 * domain/client-certificate.ts, naming the field (auth.tokenUrl, tls.clientKey, ...).
 */
const auth = z
  .looseObject({
    type: z.enum(AUTH_TYPES).openapi({ description: 'basic, bearer or oauth2 (client credentials)' }),
    username: z.string().optional().openapi({ description: 'basic' }),
    password: z.string().optional().openapi({ description: 'basic; write-only' }),
    token: z.string().optional().openapi({ description: 'bearer; write-only' }),
    tokenUrl: z.string().optional().openapi({ description: 'oauth2: the token endpoint (https in production; the same address rules as url)' }),
    clientId: z.string().optional().openapi({ description: 'oauth2' }),
    clientSecret: z.string().optional().openapi({ description: 'oauth2; write-only' }),
    scope: z.string().optional().openapi({ description: 'oauth2: space-separated scopes to ask for' }),
    audience: z.string().optional().openapi({ description: 'oauth2: the audience to ask for (Auth0 and others)' }),
    clientAuthMethod: z.enum(CLIENT_AUTH_METHODS).optional().openapi({
      description: 'oauth2: how the client id and secret reach the token endpoint: client_secret_basic (HTTP Basic, the default) or client_secret_post (in the form body)',
    }),
  })
  .openapi('EndpointAuthInput', {
    description: 'How Hookline authenticates to the receiver, sent as Authorization beside the signature. Write-only, sealed at rest; answers show auth without secrets.',
    example: { type: 'oauth2', tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'hookline', clientSecret: 's3cr3t', scope: 'webhooks:write' },
  });

const tls = z
  .looseObject({
    clientCertificate: z.string().optional().openapi({ description: 'PEM certificate (a chain may follow it)' }),
    clientKey: z.string().optional().openapi({ description: 'Its unencrypted PEM private key; write-only' }),
    caCertificate: z.string().optional().openapi({ description: 'PEM of a private CA to trust for the receiver, besides the public ones' }),
  })
  .openapi('EndpointTlsInput', { description: 'Mutual TLS: the client certificate presented to the receiver. The key is write-only and sealed at rest; answers show the subject and expiry.' });

/** The fields CreateWebhook takes. */
export const authCreateFields = {
  auth: auth.optional(),
  tls: tls.optional(),
};

/** The fields UpdateWebhook takes: a value sets or replaces, null removes. */
export const authUpdateFields = {
  auth: auth.nullable().optional().openapi({ description: 'Sets or replaces the auth (give it whole, secret included); null removes it' }),
  tls: tls.nullable().optional().openapi({ description: 'Sets or replaces the client certificate and key; null removes them' }),
};

const AuthView = z
  .object({
    type: z.enum(AUTH_TYPES),
    username: z.string().optional(),
    tokenUrl: z.string().optional(),
    clientId: z.string().optional(),
    scope: z.string().optional(),
    audience: z.string().optional(),
    clientAuthMethod: z.enum(CLIENT_AUTH_METHODS).optional(),
  })
  .openapi('EndpointAuth', { description: 'The auth without its secret (password, token, clientSecret are never shown)' });

const TlsView = z
  .object({
    subject: z.string().openapi({ example: 'CN=hookline-client, O=Example' }),
    expiresAt: z.string().openapi({ description: "The client certificate's notAfter" }),
    fingerprint: z.string().openapi({ description: 'SHA-256 of the certificate' }),
    caCertificateSet: z.boolean(),
    warning: z.string().nullable().openapi({ description: 'Set when the certificate expires within 14 days (or has expired)' }),
  })
  .openapi('EndpointTls');

/** The fields EndpointSchema shows. */
export const authViewFields = {
  auth: AuthView.nullable().openapi({ description: 'How Hookline authenticates to the receiver; null: only the signature' }),
  tls: TlsView.nullable().openapi({ description: 'The client certificate for mutual TLS; null: none' }),
};

export function toAuthView(row: EndpointRow, now = new Date()): { auth: z.infer<typeof AuthView> | null; tls: z.infer<typeof TlsView> | null } {
  return {
    auth: row.auth ?? null,
    tls: row.tlsNotAfter
      ? {
          subject: row.tlsSubject ?? '',
          expiresAt: row.tlsNotAfter.toISOString(),
          fingerprint: row.tlsFingerprint ?? '',
          caCertificateSet: row.tlsCaSet ?? false,
          warning: certificateWarning(row.tlsNotAfter, now),
        }
      : null,
  };
}
