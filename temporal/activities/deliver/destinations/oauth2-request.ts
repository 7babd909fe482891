import { parseTokenAnswer, type EndpointAuth, type IssuedToken } from '../../../../domain/endpoint-auth';
import { storable } from '../../../../domain/json-depth';
import type { WebhookFetch } from '../../../../infra/webhook-fetch';

type OAuth2 = Extract<EndpointAuth, { type: 'oauth2' }>;

/** A token request that did not give a token; its message says what the token endpoint answered, never the secret. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

const ANSWER_SHOWN = 300;
const ANSWER_READ = 16_384;

/**
 * At most `limit` bytes of the answer, the rest not read: fetch decodes any Content-Encoding, so a
 * small compressed answer can expand to gigabytes, and `text()` would hold all of it.
 */
async function textUpTo(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}
const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

/**
 * The client-credentials grant (RFC 6749 §4.4): the client authenticates with HTTP Basic
 * (client_secret_basic, §2.3.1), or with its id and secret in the form body when the endpoint says
 * client_secret_post (never both: §2.3 allows one method per request), asking for the scope and
 * audience when the endpoint names them. Sent through the same fetch as deliveries: the SSRF checks
 * and the egress proxy apply.
 */
export async function requestToken(fetch: WebhookFetch, auth: OAuth2, signal: AbortSignal, userAgent: string): Promise<IssuedToken> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) body.set('scope', auth.scope);
  if (auth.audience) body.set('audience', auth.audience);
  const inBody = auth.clientAuthMethod === 'client_secret_post';
  if (inBody) {
    body.set('client_id', auth.clientId);
    body.set('client_secret', auth.clientSecret);
  }
  const res = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: {
      ...(inBody ? {} : { authorization: `Basic ${Buffer.from(`${form(auth.clientId)}:${form(auth.clientSecret)}`).toString('base64')}` }),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': userAgent,
    },
    body: body.toString(),
    redirect: 'manual',
    signal,
  });
  const text = await textUpTo(res, ANSWER_READ);
  if (res.status < 200 || res.status >= 300) {
    const shown = storable(text.slice(0, ANSWER_SHOWN).replace(/\s+/g, ' ').trim());
    throw new TokenRequestError(`the token endpoint answered ${res.status}${shown ? `: ${shown}` : ''}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not quoted: a 2xx answer in another form (access_token=...) may hold the token itself.
    throw new TokenRequestError(`the token endpoint answered ${res.status} with no JSON`);
  }
  const issued = parseTokenAnswer(parsed);
  if (!issued) throw new TokenRequestError(`the token endpoint answered ${res.status} without a usable bearer access_token`);
  return issued;
}
