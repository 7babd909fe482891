import { ConfigError, loadConfig } from '../../infra/config';
import { decryptSecret, encryptSecret, fingerprint, generateWebhookSecret } from '../../domain/secrets';

describe('configuration', () => {
  test('defaults match the specification', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000, maxPayloadBytes: 262_144, maxEndpointsPerTenant: 5, requestTimeoutMs: 5_000, disableAfterFailures: 10,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'hookline' },
    });
  });
  test.each([
    [{ PORT: 'abc' }, /^PORT: .*"abc"/],
    [{ HOOKLINE_RETRY_SCHEDULE: 'soon' }, /^HOOKLINE_RETRY_SCHEDULE:/],
    [{ HOOKLINE_ENCRYPTION_KEY: 'short' }, /^HOOKLINE_ENCRYPTION_KEY: must be 32 bytes/],
    [{ TEMPORAL_ADDRESS: 'nohost' }, /^TEMPORAL_ADDRESS:/],
    [{ NODE_ENV: 'production' }, /required when NODE_ENV=production/],
  ])('%p is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
  test('the encryption key is never echoed in an error', () => {
    expect(() => loadConfig({ HOOKLINE_ENCRYPTION_KEY: 'c2VjcmV0LXZhbHVl' })).not.toThrow(/c2VjcmV0LXZhbHVl/);
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
