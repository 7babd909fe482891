import { ConfigError, loadConfig } from '../../infra/config';

const base = { NODE_ENV: 'test' };
const problem = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return null;
  } catch (e) {
    return e instanceof ConfigError ? e.message : String(e);
  }
};

describe('portal and console settings', () => {
  test('defaults: links live an hour, nobody may frame the portal, links use the request origin, no Temporal UI links', () => {
    const c = loadConfig(base);
    expect(c.portalSessionTtlMs).toBe(3_600_000);
    expect(c.portalFrameAncestors).toEqual([]);
    expect(c.publicUrl).toBeUndefined();
    expect(c.temporalUiUrl).toBeUndefined();
  });

  test('values are read and trimmed', () => {
    const c = loadConfig({
      ...base,
      HOOKLINE_PORTAL_SESSION_TTL: '15m',
      HOOKLINE_PORTAL_FRAME_ANCESTORS: " https://app.example.com  'self' https://*.example.org:8443 ",
      HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/',
      HOOKLINE_TEMPORAL_UI_URL: 'http://127.0.0.1:8233/',
    });
    expect(c.portalSessionTtlMs).toBe(900_000);
    expect(c.portalFrameAncestors).toEqual(['https://app.example.com', "'self'", 'https://*.example.org:8443']);
    expect(c.publicUrl).toBe('https://hooks.example.com');
    expect(c.temporalUiUrl).toBe('http://127.0.0.1:8233');
  });

  test('a bad value names the variable', () => {
    expect(problem({ HOOKLINE_PORTAL_SESSION_TTL: '30s' })).toMatch(/^HOOKLINE_PORTAL_SESSION_TTL: at least 1m/);
    expect(problem({ HOOKLINE_PORTAL_SESSION_TTL: '2d' })).toMatch(/^HOOKLINE_PORTAL_SESSION_TTL: at most 24h/);
    // A CSP source list must not smuggle in another directive or a wildcard for everyone.
    expect(problem({ HOOKLINE_PORTAL_FRAME_ANCESTORS: "https://a.example; script-src 'unsafe-inline'" })).toMatch(/^HOOKLINE_PORTAL_FRAME_ANCESTORS: /);
    expect(problem({ HOOKLINE_PORTAL_FRAME_ANCESTORS: '*' })).toMatch(/^HOOKLINE_PORTAL_FRAME_ANCESTORS: /);
    expect(problem({ HOOKLINE_PUBLIC_URL: 'hooks.example.com' })).toMatch(/^HOOKLINE_PUBLIC_URL: /);
    expect(problem({ HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/?x=1' })).toMatch(/^HOOKLINE_PUBLIC_URL: /);
  });
});
