import { NONCE, secureHeaders } from 'hono/secure-headers';

/**
 * Answers are JSON, except /docs: one inline script and style, allowed by a per-request nonce,
 * which fetch /openapi.json from the same origin. Nothing else may load, frame or submit.
 */
export function apiSecureHeaders() {
  return secureHeaders({
    xFrameOptions: 'DENY',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE],
      styleSrc: [NONCE],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
}

/** The nonce the docs page puts on its script and style. */
export const cspNonce = (c: { get(key: 'secureHeadersNonce'): string | undefined }) => c.get('secureHeadersNonce') ?? '';
