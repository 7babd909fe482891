/** Which header names an operator may give Hookline's extra signature header. */

// RFC 7230 §3.2.6 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// Hop-by-hop (RFC 7230 §6.1), credentials, and the Fetch standard's forbidden request headers
// (https://fetch.spec.whatwg.org/#forbidden-request-header): each would change how the request is
// framed, routed or authenticated instead of adding a signature.
const REFUSED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'authorization', 'proxy-authorization', 'proxy-authenticate', 'www-authenticate', 'cookie', 'cookie2', 'set-cookie',
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'content-length', 'date', 'dnt', 'expect', 'host', 'origin', 'referer', 'via', 'forwarded',
  'x-http-method', 'x-http-method-override', 'x-method-override',
  // Sent by Hookline itself.
  'user-agent',
]);
const REFUSED_PREFIXES = ['proxy-', 'sec-', 'webhook-', 'content-', 'x-forwarded-'];

/** Why `name` may not be the legacy signature header, or null when it may. */
export function refuseSignatureHeaderName(name: string): string | null {
  if (!TOKEN.test(name)) return 'expected an HTTP header name (an RFC 7230 token)';
  const lower = name.toLowerCase();
  if (REFUSED.has(lower) || REFUSED_PREFIXES.some((p) => lower.startsWith(p))) {
    return 'must not be a hop-by-hop, credential, forbidden or Hookline-sent header';
  }
  return null;
}
