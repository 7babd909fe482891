import type { ServiceDeps } from './deps';
import { invalid } from '../domain/errors';
import { authBinding, authView, endpointAuthProblem, type EndpointAuth } from '../domain/endpoint-auth';
import { parseClientTls, tlsKeyBinding } from '../domain/client-certificate';
import type { EndpointType } from '../domain/destinations';
import { encryptSecret } from '../domain/secrets';
import { checkEndpointUrl } from '../domain/url-rules';
import type { AuthChange, SealedAuth, SealedTls } from '../db/queries/endpoint-auth';

/** What a create or update says about how Hookline authenticates to the receiver; null removes it. */
export interface AuthFields {
  auth?: unknown;
  tls?: unknown;
}

export const changesAuth = (fields: AuthFields) => fields.auth !== undefined || fields.tls !== undefined;

async function sealAuth(deps: ServiceDeps, endpointId: string, raw: unknown): Promise<SealedAuth> {
  const problem = endpointAuthProblem(raw);
  if (problem) throw invalid(...problem);
  const auth = raw as EndpointAuth;
  // The token URL is reached from the workers like the endpoint's own URL: the same https and SSRF rules.
  if (auth.type === 'oauth2') {
    const refused = await checkEndpointUrl(auth.tokenUrl, deps.config);
    if (refused) throw invalid('auth.tokenUrl', refused);
  }
  const whole = auth.type === 'oauth2'
    ? { type: auth.type, tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, scope: auth.scope, audience: auth.audience, clientAuthMethod: auth.clientAuthMethod }
    : auth;
  return { view: authView(auth), ciphertext: encryptSecret(deps.config.encryptionKey, JSON.stringify(whole), authBinding(endpointId)) };
}

function sealTls(deps: ServiceDeps, endpointId: string, raw: unknown): SealedTls {
  const parsed = parseClientTls(raw);
  if ('problem' in parsed) throw invalid(...parsed.problem);
  const { tls, facts } = parsed;
  return {
    certificate: tls.clientCertificate,
    caCertificate: tls.caCertificate ?? null,
    keyCiphertext: encryptSecret(deps.config.encryptionKey, tls.clientKey, tlsKeyBinding(endpointId)),
    ...facts,
  };
}

/**
 * Checks and seals `auth` and `tls` (HTTP endpoints only); a 400 names the field. undefined leaves
 * a part as it is, null removes it.
 */
export async function prepareEndpointAuth(deps: ServiceDeps, endpointId: string, fields: AuthFields, type: EndpointType): Promise<AuthChange> {
  if (type !== 'http') {
    for (const field of ['auth', 'tls'] as const) {
      if (fields[field] !== undefined && fields[field] !== null) throw invalid(field, `is only for HTTP endpoints (type http); this endpoint is ${type}`);
    }
    return {};
  }
  return {
    ...(fields.auth === undefined ? {} : { auth: fields.auth === null ? null : await sealAuth(deps, endpointId, fields.auth) }),
    ...(fields.tls === undefined ? {} : { tls: fields.tls === null ? null : sealTls(deps, endpointId, fields.tls) }),
  };
}
