import { Client, Connection } from '@temporalio/client';
import { createOpsApp } from '../../api/ops-app';
import { createSql, type Sql } from '../../db/sql';
import { loadConfig } from '../../infra/config';
import { createLogger } from '../../infra/logger';
import { createMetrics } from '../../infra/metrics';
import { freePort } from '../../tools/testkit/free-port';
import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';

/** /readyz: 200 when this process can reach what it needs, else 503 naming what it cannot. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterAll(() => stack?.stop());

test('ready with Postgres and Temporal up: both checks ok', async () => {
  const res = await fetch(`${stack.api.url}/readyz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
});

describe('a dependency that cannot be reached', () => {
  let deadSql: Sql;
  let deadTemporal: Connection;
  const config = loadConfig(testEnv());
  const opsApp = (sql: Sql, client: Client) => createOpsApp({ config, metrics: createMetrics(), sql, client, log: createLogger('silent') });
  beforeAll(async () => {
    deadSql = createSql(`postgres://hookline_app@127.0.0.1:${await freePort()}/hookline`, { max: 1 });
    // No retry interceptor: a retry timer left pending would outlive this connection's close.
    deadTemporal = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
  });
  afterAll(async () => {
    await deadSql.end({ timeout: 1 });
    await deadTemporal.close();
  });

  test('Postgres down: 503 with Retry-After naming postgres', async () => {
    const res = await opsApp(deadSql, stack.client).request('/readyz');
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^postgres unavailable: /) });
    expect(body.checks).toMatchObject({ postgres: expect.not.stringMatching(/^ok$/), temporal: 'ok' });
  });

  test('Temporal down: 503 naming temporal, while liveness stays 200', async () => {
    const app = opsApp(stack.sql, new Client({ connection: deadTemporal }));
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error.message).toMatch(/^temporal unavailable: /);
    expect(body.checks).toMatchObject({ postgres: 'ok', temporal: expect.not.stringMatching(/^ok$/) });
    expect((await app.request('/healthz')).status).toBe(200);
  });
});
