import { ConfigError, loadConfig } from '../../infra/config';

describe('rate, metrics and worker-metrics settings', () => {
  test('defaults: 20 test sends and 300 redeliveries a tenant a minute, /metrics open, no metrics listener', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c.tenantRatePerMinute).toEqual({ test: 20, redeliver: 300 });
    expect(c.metricsToken).toBeUndefined();
    expect(c.metricsListener).toBeUndefined();
  });

  test('set values are read', () => {
    const c = loadConfig({
      NODE_ENV: 'development', HOOKLINE_TENANT_TEST_RATE: '5', HOOKLINE_TENANT_REDELIVER_RATE: '7',
      HOOKLINE_METRICS_TOKEN: 'scrape-token-0123456789', HOOKLINE_WORKER_METRICS_PORT: '9464',
    });
    expect(c).toMatchObject({ tenantRatePerMinute: { test: 5, redeliver: 7 }, metricsToken: 'scrape-token-0123456789', metricsListener: { port: 9464, host: '0.0.0.0' } });
  });

  test.each([
    [{ HOOKLINE_WORKER_METRICS_PORT: '70000' }, /^HOOKLINE_WORKER_METRICS_PORT: .*"70000"/],
    [{ HOOKLINE_WORKER_METRICS_PORT: 'on' }, /^HOOKLINE_WORKER_METRICS_PORT:/],
    [{ HOOKLINE_TENANT_TEST_RATE: '0' }, /^HOOKLINE_TENANT_TEST_RATE:/],
    [{ HOOKLINE_TENANT_REDELIVER_RATE: 'lots' }, /^HOOKLINE_TENANT_REDELIVER_RATE:/],
    [{ HOOKLINE_METRICS_TOKEN: 'short' }, /^HOOKLINE_METRICS_TOKEN: must be at least 16 characters$/],
  ])('%p is refused with a message naming the variable (never echoing a token)', (env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(message);
  });
});

describe('listener settings', () => {
  const production = {
    NODE_ENV: 'production', HOOKLINE_ADMIN_TOKEN: 'admin-token-0123456789', DATABASE_URL: 'postgres://hookline_app@db/hookline',
    HOOKLINE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  test('the API binds HOST (0.0.0.0 by default); a metrics listener binds everywhere outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ host: '0.0.0.0', metricsOnApi: true });
    expect(loadConfig({ NODE_ENV: 'development', HOST: '127.0.0.1', HOOKLINE_METRICS_PORT: '9464' })).toMatchObject({
      host: '127.0.0.1', metricsListener: { port: 9464, host: '0.0.0.0' },
    });
  });

  test('production without a metrics token: no /metrics on the API listener, the metrics listener on loopback unless told otherwise', () => {
    expect(loadConfig({ ...production, HOOKLINE_METRICS_PORT: '9464' })).toMatchObject({ metricsOnApi: false, metricsListener: { port: 9464, host: '127.0.0.1' } });
    expect(loadConfig({ ...production, HOOKLINE_METRICS_PORT: '9464', HOOKLINE_METRICS_HOST: '10.0.0.5' }).metricsListener).toEqual({ port: 9464, host: '10.0.0.5' });
    const withToken = loadConfig({ ...production, HOOKLINE_METRICS_PORT: '9464', HOOKLINE_METRICS_TOKEN: 'scrape-token-0123456789' });
    expect(withToken).toMatchObject({ metricsOnApi: true, metricsListener: { port: 9464, host: '0.0.0.0' } });
  });

  test.each([
    [{ HOST: 'not a host' }, /^HOST: expected a host name or IP address/],
    [{ HOOKLINE_METRICS_HOST: 'http://x' }, /^HOOKLINE_METRICS_HOST: expected a host name or IP address/],
  ])('%p is refused naming the variable', (env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(message);
  });
});
