import { ConfigError, loadConfig } from '../../infra/config';
import { generateWebhookSecret } from '../../domain/secrets';

const base = { NODE_ENV: 'test' };

describe('operational webhooks, recovery and tracing settings', () => {
  test('off unless set: no operator webhook, no tracing; recoveries queue 100 per step', () => {
    const c = loadConfig(base);
    expect(c.operatorWebhook).toBeUndefined();
    expect(c.tracing).toBeUndefined();
    expect(c.recoveryBatchSize).toBe(100);
  });

  test('an operator URL with its whsec_ secret, and an OTLP endpoint, are read', () => {
    const secret = generateWebhookSecret();
    const c = loadConfig({ ...base, HOOKLINE_OPERATOR_WEBHOOK_URL: 'https://ops.example.com/hooks', HOOKLINE_OPERATOR_WEBHOOK_SECRET: secret, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(c.operatorWebhook).toEqual({ url: 'https://ops.example.com/hooks', secret });
    expect(c.tracing).toEqual({ otlpEndpoint: 'http://127.0.0.1:4318', serviceName: 'hookline' });
  });

  test.each([
    [{ HOOKLINE_OPERATOR_WEBHOOK_URL: 'https://ops.example.com/hooks' }, /^HOOKLINE_OPERATOR_WEBHOOK_SECRET: required when HOOKLINE_OPERATOR_WEBHOOK_URL is set/],
    [{ HOOKLINE_OPERATOR_WEBHOOK_URL: 'ftp://ops.example.com', HOOKLINE_OPERATOR_WEBHOOK_SECRET: generateWebhookSecret() }, /^HOOKLINE_OPERATOR_WEBHOOK_URL:/],
    [{ HOOKLINE_OPERATOR_WEBHOOK_URL: 'https://ops.example.com', HOOKLINE_OPERATOR_WEBHOOK_SECRET: 'not-a-whsec-secret' }, /^HOOKLINE_OPERATOR_WEBHOOK_SECRET: expected whsec_/],
    [{ HOOKLINE_RECOVERY_BATCH_SIZE: '0' }, /^HOOKLINE_RECOVERY_BATCH_SIZE:/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, /^OTEL_EXPORTER_OTLP_ENDPOINT:/],
  ])('%p is refused, naming the variable', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  test('in production the operator URL must be https', () => {
    const prod = { NODE_ENV: 'production', HOOKLINE_ADMIN_TOKEN: 'a'.repeat(20), HOOKLINE_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), DATABASE_URL: 'postgres://app@db/hookline' };
    const secret = generateWebhookSecret();
    expect(() => loadConfig({ ...prod, HOOKLINE_OPERATOR_WEBHOOK_URL: 'http://ops.example.com', HOOKLINE_OPERATOR_WEBHOOK_SECRET: secret })).toThrow(/^HOOKLINE_OPERATOR_WEBHOOK_URL: must use https/);
    expect(loadConfig({ ...prod, HOOKLINE_OPERATOR_WEBHOOK_URL: 'https://ops.example.com', HOOKLINE_OPERATOR_WEBHOOK_SECRET: secret }).operatorWebhook?.url).toBe('https://ops.example.com');
  });

  test('a bad operator secret is never echoed in the error', () => {
    expect(() => loadConfig({ ...base, HOOKLINE_OPERATOR_WEBHOOK_URL: 'https://ops.example.com', HOOKLINE_OPERATOR_WEBHOOK_SECRET: 'whsec_short' })).not.toThrow(/whsec_short/);
  });
});
