import { ConfigError, loadConfig } from '../../infra/config';

describe('retention settings', () => {
  test('defaults: 30 days kept, a purge every hour, 1000 rows a batch', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).retention).toEqual({ days: 30, purgeIntervalMs: 3_600_000, purgeBatch: 1000 });
  });

  test('set values are read; 0 days keeps forever', () => {
    const c = loadConfig({ NODE_ENV: 'development', HOOKLINE_RETENTION_DAYS: '0', HOOKLINE_PURGE_INTERVAL: '15m', HOOKLINE_PURGE_BATCH: '250' });
    expect(c.retention).toEqual({ days: 0, purgeIntervalMs: 900_000, purgeBatch: 250 });
  });

  test.each([
    [{ HOOKLINE_RETENTION_DAYS: '-1' }, /^HOOKLINE_RETENTION_DAYS: /],
    [{ HOOKLINE_RETENTION_DAYS: '7.5' }, /^HOOKLINE_RETENTION_DAYS: /],
    [{ HOOKLINE_PURGE_INTERVAL: '30s' }, /^HOOKLINE_PURGE_INTERVAL: must be at least 1m/],
    [{ HOOKLINE_PURGE_INTERVAL: 'hourly' }, /^HOOKLINE_PURGE_INTERVAL: /],
    [{ HOOKLINE_PURGE_BATCH: '0' }, /^HOOKLINE_PURGE_BATCH: /],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(message);
  });
});
