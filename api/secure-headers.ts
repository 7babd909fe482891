import { createMiddleware } from 'hono/factory';
import { NONCE, secureHeaders } from 'hono/secure-headers';

/**
 * Answers are JSON, except /docs: one inline script and style, allowed by a per-request nonce,
 * which fetch /openapi.json from the same origin. Nothing else may load, frame or submit.
 */
export function apiSecureHeaders(portalFrameAncestors: string[] = []) {
  const api = jsonSecureHeaders();
  const portal = pageSecureHeaders(portalFrameAncestors);
  const consolePage = pageSecureHeaders([]);
  return createMiddleware(async (c, next) => {
    const path = c.req.path;
    if (path === '/portal' || path.startsWith('/portal/')) return portal(c, next);
    if (path === '/console' || path.startsWith('/console/')) return consolePage(c, next);
    return api(c, next);
  });
}

/**
 * The portal and console pages: their script and style come from this origin only (no inline code,
 * nothing from elsewhere), they talk to this API only, and only the origins named in
 * HOOKLINE_PORTAL_FRAME_ANCESTORS may frame the portal (the console: none). X-Frame-Options cannot
 * name several origins, so it is left out when the CSP allows framing (browsers follow the CSP).
 */
function pageSecureHeaders(frameAncestors: string[]) {
  return secureHeaders({
    xFrameOptions: frameAncestors.length ? false : 'DENY',
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: frameAncestors.length ? frameAncestors : ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
    },
  });
}

function jsonSecureHeaders() {
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
