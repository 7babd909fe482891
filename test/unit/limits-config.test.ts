import { ConfigError, loadConfig } from '../../infra/config';

describe('rate, metrics and worker-metrics settings', () => {
  test('defaults: 20 test sends and 300 redeliveries a tenant a minute, /metrics open, no worker metrics port', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c.tenantRatePerMinute).toEqual({ test: 20, redeliver: 300 });
    expect(c.metricsToken).toBeUndefined();
    expect(c.workerMetricsPort).toBeUndefined();
  });

  test('set values are read', () => {
    const c = loadConfig({
      NODE_ENV: 'development', HOOKLINE_TENANT_TEST_RATE: '5', HOOKLINE_TENANT_REDELIVER_RATE: '7',
      HOOKLINE_METRICS_TOKEN: 'scrape-token-0123456789', HOOKLINE_WORKER_METRICS_PORT: '9464',
    });
    expect(c).toMatchObject({ tenantRatePerMinute: { test: 5, redeliver: 7 }, metricsToken: 'scrape-token-0123456789', workerMetricsPort: 9464 });
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
