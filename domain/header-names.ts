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

/*
 * Per-endpoint custom headers (`headers: { name: value }`), sent on every attempt. Authorization and
 * other credentials are allowed here: a receiver may want them. Refused: what frames or routes the
 * request, what Hookline sets itself, and any signature header (webhook-*, the legacy names).
 */
const CUSTOM_REFUSED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host',
  'content-length', 'content-type', 'user-agent', 'expect',
]);
const CUSTOM_REFUSED_PREFIXES = ['proxy-', 'webhook-', 'content-'];
export const CUSTOM_HEADER_LIMITS = { count: 20, nameLength: 100, valueLength: 1_000, totalBytes: 8_192 };
// Visible ASCII and Latin-1, space and tab (RFC 9110 field-value): no CR, LF, NUL or other controls.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Why these custom headers cannot be sent, as [field, problem] (field `headers.<name>`), or null.
 * `signatureHeaders`: the legacy signature header names in force (the tenant's and the deployment's).
 */
export function customHeadersProblem(headers: Record<string, string>, signatureHeaders: string[]): [string, string] | null {
  const names = Object.keys(headers);
  const { count, nameLength, valueLength, totalBytes } = CUSTOM_HEADER_LIMITS;
  if (names.length > count) return ['headers', `at most ${count} headers`];
  const signatures = new Set(signatureHeaders.map((h) => h.toLowerCase()));
  const seen = new Set<string>();
  let total = 0;
  for (const name of names) {
    const field = `headers.${name}`;
    const value = headers[name]!;
    if (name.length === 0 || name.length > nameLength || !TOKEN.test(name)) return [field, `the name must be an HTTP header name (an RFC 7230 token) of at most ${nameLength} characters`];
    const lower = name.toLowerCase();
    if (seen.has(lower)) return [field, 'given twice (header names ignore case)'];
    seen.add(lower);
    if (CUSTOM_REFUSED.has(lower) || CUSTOM_REFUSED_PREFIXES.some((p) => lower.startsWith(p))) {
      return [field, 'must not be a hop-by-hop, framing or Hookline-sent header (webhook-*, content-*, host, user-agent, ...)'];
    }
    if (signatures.has(lower)) return [field, 'is the legacy signature header: Hookline sets it'];
    if (typeof value !== 'string' || value.length > valueLength) return [field, `the value must be a string of at most ${valueLength} characters`];
    if (!FIELD_VALUE.test(value)) return [field, 'the value must not hold CR, LF, NUL or other control characters'];
    total += name.length + value.length;
  }
  if (total > totalBytes) return ['headers', `at most ${totalBytes} bytes of names and values in all`];
  return null;
}
