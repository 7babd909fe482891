import { ConfigError, loadConfig } from '../../infra/config';
import { decryptSecret, encryptSecret, fingerprint, generateWebhookSecret } from '../../domain/secrets';

describe('configuration', () => {
  test('defaults match the specification', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c).toMatchObject({
      port: 3000, maxPayloadBytes: 262_144, maxEndpointsPerTenant: 5, requestTimeoutMs: 5_000, disableAfterFailures: 10,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'hookline' },
      workflowStallMs: 60_000, workflowStackTraces: false,
    });
  });
  test.each([
    [{ PORT: 'abc' }, /^PORT: .*"abc"/],
    [{ HOOKLINE_RETRY_SCHEDULE: 'soon' }, /^HOOKLINE_RETRY_SCHEDULE:/],
    [{ HOOKLINE_ENCRYPTION_KEY: 'short' }, /^HOOKLINE_ENCRYPTION_KEY: must be 32 bytes/],
    [{ TEMPORAL_ADDRESS: 'nohost' }, /^TEMPORAL_ADDRESS:/],
    [{ NODE_ENV: 'production' }, /required when NODE_ENV=production/],
    [{ NODE_ENV: 'development', HOOKLINE_WORKFLOW_STALL_LIMIT: '1s' }, /^HOOKLINE_WORKFLOW_STALL_LIMIT: must be at least 5s/],
    [{ NODE_ENV: 'development', HOOKLINE_WORKFLOW_STACK_TRACES: 'maybe' }, /^HOOKLINE_WORKFLOW_STACK_TRACES:/],
  ])('%p is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
  test('the encryption key is never echoed in an error', () => {
    expect(() => loadConfig({ HOOKLINE_ENCRYPTION_KEY: 'c2VjcmV0LXZhbHVl' })).not.toThrow(/c2VjcmV0LXZhbHVl/);
  });
});

describe('no insecure defaults', () => {
  const key = Buffer.alloc(32, 9).toString('base64');
  test('with NODE_ENV unset, the API and worker refuse to start without an encryption key', () => {
    expect(() => loadConfig({})).toThrow(/^HOOKLINE_ENCRYPTION_KEY: required unless NODE_ENV=development or test/);
    expect(loadConfig({ HOOKLINE_ENCRYPTION_KEY: key }).encryptionKey).toEqual(Buffer.from(key, 'base64'));
  });
  test('the fixed development key is used only when development is explicit', () => {
    const dev = loadConfig({ NODE_ENV: 'development' }).encryptionKey;
    expect(loadConfig({ NODE_ENV: 'test' }).encryptionKey).toEqual(dev);
    expect(dev).toHaveLength(32);
  });
  test('tools that never decrypt a secret (migrate, the Temporal dev server) start without one', () => {
    expect(loadConfig({}, { serving: false }).production).toBe(false);
  });
});

describe('database roles', () => {
  test('in development the app logs in as hookline_app and migrations run as the owner, with no setup', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(new URL(c.databaseUrl).username).toBe('hookline_app');
    expect(new URL(c.migrationDatabaseUrl).username).toBe('postgres');
    expect(new URL(c.databaseUrl).pathname).toBe(new URL(c.migrationDatabaseUrl).pathname);
  });
  test('DATABASE_MIGRATION_URL defaults to DATABASE_URL, and is checked like it', () => {
    const url = 'postgres://someone@db.example:5432/hooks';
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_URL: url }).migrationDatabaseUrl).toBe(url);
    const both = loadConfig({ NODE_ENV: 'development', DATABASE_URL: url, DATABASE_MIGRATION_URL: 'postgres://owner@db.example/hooks' });
    expect(both).toMatchObject({ databaseUrl: url, migrationDatabaseUrl: 'postgres://owner@db.example/hooks' });
    expect(() => loadConfig({ NODE_ENV: 'development', DATABASE_MIGRATION_URL: 'mysql://x' })).toThrow(/^DATABASE_MIGRATION_URL: /);
  });
});

describe('HOOKLINE_LEGACY_SIGNATURE_HEADER', () => {
  const withHeader = (name: string) => () => loadConfig({ NODE_ENV: 'test', HOOKLINE_LEGACY_SIGNATURE_HEADER: name });
  test.each(['X-Guardian-Signature', 'X-DevCard-Signature', 'Signature', 'x_sig.v1'])('%s is accepted', (name) => {
    expect(withHeader(name)().legacySignatureHeader).toBe(name);
  });
  test.each([
    // hop-by-hop
    'Transfer-Encoding', 'Connection', 'Keep-Alive', 'TE', 'Trailer', 'Upgrade', 'Proxy-Connection',
    // credentials
    'Authorization', 'Proxy-Authorization', 'Cookie', 'Set-Cookie', 'WWW-Authenticate',
    // forbidden to fetch, or smuggling a method or route past a proxy
    'Content-Length', 'Host', 'Expect', 'Origin', 'Referer', 'Via', 'Date', 'Sec-Fetch-Mode', 'Proxy-Foo', 'X-HTTP-Method-Override', 'Forwarded', 'X-Forwarded-For',
    // sent by Hookline already
    'Webhook-Signature', 'webhook-id', 'Content-Type', 'User-Agent',
    // not a token
    'X Sig', 'X-Sig:', 'X-Sig\r\nX-Evil', '',
  ])('%p is refused, naming the variable', (name) => {
    const load = withHeader(name);
    if (name === '') return expect(load().legacySignatureHeader).toBeUndefined(); // empty = unset
    expect(load).toThrow(/^HOOKLINE_LEGACY_SIGNATURE_HEADER: /);
  });
});

describe('secret encryption at rest', () => {
  const key = Buffer.alloc(32, 1);
  test('round-trips, and the ciphertext holds no trace of the secret', () => {
    const secret = generateWebhookSecret();
    const stored = encryptSecret(key, secret, 'ep_1');
    expect(stored).not.toContain(secret.slice(6));
    expect(decryptSecret(key, stored, 'ep_1')).toBe(secret);
    expect(fingerprint(secret)).toMatch(/^[0-9a-f]{64}$/);
  });
  test('a ciphertext moved to another endpoint, or read with another key, does not decrypt', () => {
    const stored = encryptSecret(key, generateWebhookSecret(), 'ep_1');
    expect(() => decryptSecret(key, stored, 'ep_2')).toThrow();
    expect(() => decryptSecret(Buffer.alloc(32, 2), stored, 'ep_1')).toThrow();
  });
});

describe('HOOKLINE_EGRESS_PROXY', () => {
  const env = (proxy: string) => ({ NODE_ENV: 'development', HOOKLINE_EGRESS_PROXY: proxy });
  test.each(['http://proxy.internal:3128', 'https://user:p%40ss@proxy.internal:8443', 'http://10.0.0.3:3128/'])('%s is accepted', (proxy) => {
    expect(loadConfig(env(proxy)).egressProxy).toBe(proxy);
  });
  test('absent: deliveries go straight to their targets', () => expect(loadConfig({ NODE_ENV: 'development' }).egressProxy).toBeUndefined());
  test.each(['socks5://proxy:1080', 'proxy.internal:3128', 'http://proxy:3128/path', 'http://user@proxy:3128'])('%s is refused, naming the variable and not echoing it', (proxy) => {
    expect(() => loadConfig(env(proxy))).toThrow(/^HOOKLINE_EGRESS_PROXY: /);
    expect(() => loadConfig(env(proxy))).not.toThrow(proxy);
  });
});
