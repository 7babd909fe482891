import { field, h, notice, type Child } from '../shared/dom';
import { when } from '../shared/format';
import type { Endpoint } from './types';

/**
 * The endpoint form's authentication and mutual-TLS fields (HTTP endpoints), and the rows the
 * endpoint page shows of them. Secrets are write-only: the form never shows a stored password,
 * token, client secret or key; changing the auth means giving it whole again.
 */
export const AUTH_BODY_PROPS = ['auth', 'tls'];

type AuthType = 'none' | 'basic' | 'bearer' | 'oauth2';
type Read = Record<string, unknown> | string;

const text = (name: string, value = '', type = 'text') =>
  h('input', { type, name, value, class: 'mono', spellcheck: 'false', autocomplete: type === 'password' ? 'new-password' : 'off' });
const pem = (name: string, placeholder: string) =>
  h('textarea', { name, rows: 4, class: 'mono', spellcheck: 'false', autocomplete: 'off', placeholder });

function authFieldset(e: Endpoint | undefined): { el: HTMLElement; read: () => Read } {
  const current = e?.auth ?? null;
  const kind = h('select', { name: 'auth-type' },
    h('option', { value: 'none' }, 'None: the signature only'),
    h('option', { value: 'basic' }, 'HTTP Basic (username and password)'),
    h('option', { value: 'bearer' }, 'Bearer token'),
    h('option', { value: 'oauth2' }, 'OAuth2 client credentials'));
  kind.value = current?.type ?? 'none';
  const username = text('auth-username', current?.username ?? '');
  const password = text('auth-password', '', 'password');
  const token = text('auth-token', '', 'password');
  const tokenUrl = text('auth-token-url', current?.tokenUrl ?? '', 'url');
  const clientId = text('auth-client-id', current?.clientId ?? '');
  const clientSecret = text('auth-client-secret', '', 'password');
  const scope = text('auth-scope', current?.scope ?? '');
  const audience = text('auth-audience', current?.audience ?? '');
  const clientAuth = h('select', { name: 'auth-client-method' },
    h('option', { value: 'client_secret_basic' }, 'HTTP Basic (client_secret_basic)'),
    h('option', { value: 'client_secret_post' }, 'In the form body (client_secret_post)'));
  clientAuth.value = current?.clientAuthMethod ?? 'client_secret_basic';
  const stored = current ? 'Stored and never shown: give it again to change the authentication.' : undefined;
  const groups: Record<Exclude<AuthType, 'none'>, HTMLElement> = {
    basic: h('div', {}, field('Username', username), field('Password', password, stored)),
    bearer: h('div', {}, field('Token', token, stored)),
    oauth2: h('div', {},
      field('Token URL', tokenUrl, 'Hookline asks it for a token with the client-credentials grant and reuses the token until shortly before it expires.'),
      field('Client id', clientId), field('Client secret', clientSecret, stored),
      field('Client authentication method', clientAuth, 'How the client id and secret reach your token endpoint; most accept HTTP Basic.'),
      field('Scope (optional)', scope), field('Audience (optional)', audience)),
  };
  let touched = false;
  const sync = () => Object.entries(groups).forEach(([k, g]) => (g.hidden = k !== kind.value));
  kind.addEventListener('change', sync);
  sync();
  const el = h('fieldset', { class: 'auth' }, h('legend', {}, 'Authentication (optional)'),
    h('p', { class: 'hint' }, 'Sent as the Authorization header of every request, beside the signature.'),
    field('Authentication', kind), Object.values(groups));
  el.addEventListener('input', () => (touched = true));
  el.addEventListener('change', () => (touched = true));

  const read = (): Read => {
    const type = kind.value as AuthType;
    if (e && !touched) return {};
    if (type === 'none') return e ? { auth: null } : {};
    const missing = (what: string, input: HTMLInputElement) => (input.value.trim() ? null : `Authentication: give the ${what}.`);
    if (type === 'basic') {
      return missing('username', username) ?? missing('password', password) ?? { auth: { type, username: username.value.trim(), password: password.value } };
    }
    if (type === 'bearer') return missing('token', token) ?? { auth: { type, token: token.value.trim() } };
    const problem = missing('token URL', tokenUrl) ?? missing('client id', clientId) ?? missing('client secret', clientSecret);
    if (problem) return problem;
    return { auth: { type, tokenUrl: tokenUrl.value.trim(), clientId: clientId.value.trim(), clientSecret: clientSecret.value,
      ...(scope.value.trim() ? { scope: scope.value.trim() } : {}), ...(audience.value.trim() ? { audience: audience.value.trim() } : {}),
      ...(clientAuth.value === 'client_secret_post' ? { clientAuthMethod: clientAuth.value } : {}) } };
  };
  return { el, read };
}

function tlsFieldset(e: Endpoint | undefined): { el: HTMLElement; read: () => Read } {
  const current = e?.tls ?? null;
  const cert = pem('tls-certificate', '-----BEGIN CERTIFICATE-----');
  const key = pem('tls-key', '-----BEGIN PRIVATE KEY-----');
  const ca = pem('tls-ca', '-----BEGIN CERTIFICATE-----');
  const remove = h('input', { type: 'checkbox', name: 'tls-remove', id: 'tls-remove' });
  const el = h('fieldset', { class: 'tls' }, h('legend', {}, 'Client certificate (mutual TLS, optional)'),
    current ? h('p', { class: 'hint' }, `Now: ${current.subject}, valid until ${when(current.expiresAt)}. Paste a new certificate and key to replace it.`) : null,
    field('Client certificate (PEM)', cert, 'Presented to your receiver when it asks for a client certificate.'),
    field('Private key (PEM)', key, 'Unencrypted. Stored sealed and never shown again.'),
    field('CA certificate (PEM, optional)', ca, "To trust your receiver's certificate when a private CA signed it."),
    // On edit always: the form outlives saves that may have set a certificate since it was drawn.
    e ? h('div', { class: 'check' }, remove, h('label', { for: remove.id }, 'Remove the client certificate')) : null);
  const read = (): Read => {
    if (remove.checked) return { tls: null };
    const [c, k, a] = [cert, key, ca].map((t) => t.value.trim());
    if (!c && !k && !a) return {};
    if (!c || !k) return 'Client certificate: paste both the certificate and its private key.';
    return { tls: { clientCertificate: c, clientKey: k, ...(a ? { caCertificate: a } : {}) } };
  };
  return { el, read };
}

/** The form's fields for what the API takes (`props`), on HTTP endpoints; `read` gives the body's part or a problem. */
export function endpointAuthFields(e: Endpoint | undefined, props: Set<string>): { el: Child; read: () => Read } {
  if ((e?.type ?? 'http') !== 'http') return { el: null, read: () => ({}) };
  const parts = [props.has('auth') ? authFieldset(e) : null, props.has('tls') ? tlsFieldset(e) : null].filter((p) => p !== null);
  return {
    el: parts.map((p) => p.el),
    read: () => {
      const body: Record<string, unknown> = {};
      for (const p of parts) {
        const got = p.read();
        if (typeof got === 'string') return got;
        Object.assign(body, got);
      }
      return body;
    },
  };
}

const AUTH_NAMES = { basic: 'HTTP Basic', bearer: 'Bearer token', oauth2: 'OAuth2 client credentials' } as const;

/** The endpoint page's rows: the authentication, the client certificate, and its expiry warning. */
export function endpointAuthRows(x: Endpoint): [string, Child][] {
  const rows: [string, Child][] = [];
  if (x.auth) {
    const a = x.auth;
    const detail = a.type === 'basic' ? ` as ${a.username}` : a.type === 'oauth2' ? ` (${a.clientId} at ${a.tokenUrl}${a.scope ? `, scope ${a.scope}` : ''}${a.clientAuthMethod === 'client_secret_post' ? ', secret in the form body' : ''})` : '';
    rows.push(['Authentication', `${AUTH_NAMES[a.type]}${detail}`]);
  }
  if (x.tls) {
    rows.push(['Client certificate', h('div', {},
      h('span', { class: 'mono' }, x.tls.subject), ` — valid until ${when(x.tls.expiresAt)}`,
      x.tls.warning ? notice('error', `Certificate: ${x.tls.warning}`) : null)]);
  }
  return rows;
}
