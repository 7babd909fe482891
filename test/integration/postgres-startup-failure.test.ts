import { createApp } from '../../api/app';
import { createSql, type Sql } from '../../db/sql';
import { loadConfig } from '../../infra/config';
import { createLogger } from '../../infra/logger';
import { createMetrics } from '../../infra/metrics';
import { isDependencyUnavailable } from '../../infra/unavailable';
import { startFakePostgres, type FakePostgres, type StartupFailure } from '../../tools/testkit/fake-postgres';
import { ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from '../../tools/testkit/stack';

// Postgres failing while a new connection starts (a full disk: FATAL XX000 "could not write init
// file") is an outage whatever its SQLSTATE: 503 with Retry-After, never a 500.

let fake: FakePostgres | undefined;
let sql: Sql | undefined;
afterEach(async () => {
  await sql?.end({ timeout: 1 });
  await fake?.close();
  sql = fake = undefined;
});

const failures: [string, StartupFailure][] = [
  ['a full disk (XX000 could not write init file)', { severity: 'FATAL', code: 'XX000', message: 'could not write init file' }],
  ['a corrupt relation map (XX001)', { severity: 'FATAL', code: 'XX001', message: 'relation mapping file contains invalid data' }],
  ['a missing database (3D000)', { severity: 'FATAL', code: '3D000', message: 'database "hookline" does not exist' }],
  ['a PANIC', { severity: 'PANIC', code: 'XX000', message: 'could not write to file' }],
];

test.each(failures)('%s at connect: the driver’s error is an outage', async (_what, failure) => {
  fake = await startFakePostgres(failure);
  sql = createSql(fake.url, { max: 1 });
  const err = await sql`select 1`.then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({ code: failure.code, severity: failure.severity });
  expect(isDependencyUnavailable(err)).toBe(true);
});

test.each(failures)('%s at connect: a request that needs Postgres is 503 with Retry-After', async (_what, failure) => {
  fake = await startFakePostgres(failure);
  sql = createSql(fake.url, { max: 2 });
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: fake.url, HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN, HOOKLINE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  const app = createApp({ config, sql, log: createLogger('silent'), metrics: createMetrics() });
  for (const [path, token] of [['/v1/webhooks', 'hk_0123456789abcdef0123456789abcdef'], ['/v1/tenants?limit=1', ADMIN_TOKEN]] as const) {
    const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
    expect({ path, status: res.status }).toEqual({ path, status: 503 });
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await res.json()).error.code).toBe('unavailable');
  }
  expect(fake.connections).toBeGreaterThan(0);
});

test('an ERROR a query raises on a live connection is still not an outage (input errors stay 4xx/500 by their code)', () => {
  expect(isDependencyUnavailable(Object.assign(new Error('boom'), { code: 'XX000', severity: 'ERROR' }))).toBe(false);
  expect(isDependencyUnavailable(Object.assign(new Error('dup'), { code: '23505', severity: 'ERROR' }))).toBe(false);
});
