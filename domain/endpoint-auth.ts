import { textProblem } from './json-depth';
/**
 * How Hookline authenticates to an HTTP receiver, beside the signature: HTTP Basic, a static
 * bearer token, or an OAuth2 client-credentials token. The one definition of the shapes, their
 * checks (a problem names the field), what an answer may show, and when a cached token is stale.
 * Pure: the services seal what passes; the deliver activity opens it for the one send.
 */
export const AUTH_TYPES = ['basic', 'bearer', 'oauth2'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
/** How the OAuth2 client proves itself to the token endpoint (RFC 6749 §2.3.1; the names of RFC 8414's token_endpoint_auth_method). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export type EndpointAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string; clientAuthMethod?: ClientAuthMethod };

/** What answers show: never a password, token or client secret. */
export interface AuthView {
  type: AuthType;
  username?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  audience?: string;
  clientAuthMethod?: ClientAuthMethod;
}

export type Problem = [field: string, message: string];

const FIELDS: Record<AuthType, { required: string[]; optional: string[] }> = {
  basic: { required: ['username', 'password'], optional: [] },
  bearer: { required: ['token'], optional: [] },
  oauth2: { required: ['tokenUrl', 'clientId', 'clientSecret'], optional: ['scope', 'audience', 'clientAuthMethod'] },
};

// Header-safe text: visible ASCII and spaces (a token or password with a CR/LF would split the request).
const HEADER_SAFE = /^[\x20-\x7e]+$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function stringProblem(field: string, value: unknown, max: number): Problem | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return [field, `must be a non-empty string of at most ${max} characters`];
  if (!HEADER_SAFE.test(value)) return [field, 'must be printable ASCII (no control characters)'];
  return null;
}

/** Only the shape of the token URL; https in production and the SSRF rules are checked by the service (domain/url-rules.ts). */
function tokenUrlProblem(value: unknown): Problem | null {
  const field = 'auth.tokenUrl';
  if (typeof value !== 'string' || value.length > 2048) return [field, 'must be a URL string of at most 2048 characters'];
  const unstorable = textProblem(value);
  if (unstorable) return [field, unstorable];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [field, 'must be an absolute http(s) URL'];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [field, 'must use http or https'];
  if (url.username || url.password) return [field, 'must not contain credentials: give them as clientId and clientSecret'];
  if (url.hash) return [field, 'must not have a fragment'];
  return null;
}

/** Why `raw` is not an endpoint auth, naming the field (auth.password, ...); null when it is. */
export function endpointAuthProblem(raw: unknown): Problem | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['auth', 'must be an object with a type (basic, bearer or oauth2), or null'];
  const a = raw as Record<string, unknown>;
  if (!AUTH_TYPES.includes(a.type as AuthType)) return ['auth.type', 'must be basic, bearer or oauth2'];
  const { required, optional } = FIELDS[a.type as AuthType];
  const unknown = Object.keys(a).find((k) => k !== 'type' && !required.includes(k) && !optional.includes(k));
  if (unknown) return [`auth.${unknown}`, `is not a field of ${a.type} auth (${[...required, ...optional].join(', ')})`];
  const missing = required.find((k) => a[k] === undefined || a[k] === null);
  if (missing) return [`auth.${missing}`, `is required for ${a.type} auth`];
  switch (a.type as AuthType) {
    case 'basic':
      if (typeof a.username === 'string' && a.username.includes(':')) return ['auth.username', 'must not contain ":" (HTTP Basic joins username and password with it)'];
      return stringProblem('auth.username', a.username, 256) ?? stringProblem('auth.password', a.password, 1024);
    case 'bearer':
      if (typeof a.token === 'string' && !TOKEN68.test(a.token)) return ['auth.token', 'must be a bearer token (letters, digits and - . _ ~ + / with = padding at the end)'];
      return stringProblem('auth.token', a.token, 4096);
    case 'oauth2':
      return tokenUrlProblem(a.tokenUrl)
        ?? stringProblem('auth.clientId', a.clientId, 256)
        ?? stringProblem('auth.clientSecret', a.clientSecret, 1024)
        ?? (a.scope === undefined ? null : stringProblem('auth.scope', a.scope, 1024))
        ?? (a.audience === undefined ? null : stringProblem('auth.audience', a.audience, 1024))
        ?? (a.clientAuthMethod === undefined || CLIENT_AUTH_METHODS.includes(a.clientAuthMethod as ClientAuthMethod)
          ? null
          : ['auth.clientAuthMethod', `must be ${CLIENT_AUTH_METHODS.join(' or ')}`]);
  }
}

/** The part of an auth an answer shows. */
export function authView(auth: EndpointAuth): AuthView {
  switch (auth.type) {
    case 'basic':
      return { type: 'basic', username: auth.username };
    case 'bearer':
      return { type: 'bearer' };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        ...(auth.scope ? { scope: auth.scope } : {}),
        ...(auth.audience ? { audience: auth.audience } : {}),
        ...(auth.clientAuthMethod ? { clientAuthMethod: auth.clientAuthMethod } : {}),
      };
  }
}

/** What the sealed auth is bound to (AES-GCM associated data): this endpoint's auth, and nothing else's. */
export function authBinding(endpointId: string): string {
  return `${endpointId}:auth`;
}

/** The Authorization value of basic auth (RFC 7617, UTF-8). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The token endpoint's answer, as far as Hookline uses it. */
export interface IssuedToken {
  accessToken: string;
  /** Seconds; absent when the token endpoint did not say. */
  expiresIn?: number;
}

/** A lifetime the token endpoint did not state: five minutes, then a new token. */
export const DEFAULT_TOKEN_LIFETIME_S = 300;

/** Reads a client-credentials answer (RFC 6749 §5.1); null when it is not one. */
export function parseTokenAnswer(body: unknown): IssuedToken | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.access_token !== 'string' || !b.access_token || !HEADER_SAFE.test(b.access_token) || b.access_token.length > 8192) return null;
  if (b.token_type !== undefined && (typeof b.token_type !== 'string' || b.token_type.toLowerCase() !== 'bearer')) return null;
  // Some servers send expires_in as a string.
  const expiresIn = typeof b.expires_in === 'string' && /^\d+$/.test(b.expires_in) ? Number(b.expires_in) : b.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0)) return null;
  return { accessToken: b.access_token, ...(expiresIn === undefined ? {} : { expiresIn }) };
}

/**
 * When a token received at `receivedAtMs` stops being used: shortly before it expires (a tenth of
 * its life, at most a minute early), so a send never carries a token that expires on the way.
 */
export function tokenUsableUntil(receivedAtMs: number, expiresInSeconds: number | undefined): number {
  const lifeMs = (expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_S) * 1000;
  return receivedAtMs + lifeMs - Math.min(60_000, lifeMs / 10);
}
