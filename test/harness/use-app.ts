import { randomBytes } from 'node:crypto';
import { createApp } from '../../api/app';
import { createSql, type Sql } from '../../db/sql';
import { loadConfig, type Config } from '../../infra/config';
import { createLogger } from '../../infra/logger';
import { createMetrics } from '../../infra/metrics';
import { ADMIN_TOKEN, testEnv } from '../../tools/testkit/stack';

export interface RouteEnv {
  config: Config;
  app: ReturnType<typeof createApp>;
  /** A request through the app itself (`app.request`): no listening socket, the real Postgres behind it. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** A new tenant and its API key, made through the admin route. */
  newTenant(): Promise<{ id: string; apiKey: string }>;
}

/**
 * For a route test file: the whole Hono app from createApp(deps) on the suite's Postgres, as the
 * app role, with no server, worker or Temporal. Outbox rows it writes wait for no one.
 */
export function useApp(overrides: Record<string, string> = {}): RouteEnv {
  let sql: Sql;
  const env = {} as RouteEnv;
  beforeAll(() => {
    const config = loadConfig(testEnv(overrides));
    sql = createSql(config.databaseUrl, { max: 2 });
    const app = createApp({ config, sql, log: createLogger('silent'), metrics: createMetrics() });
    Object.assign(env, {
      config,
      app,
      call: (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
        app.request(path, {
          method,
          headers: {
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...opts.headers,
          },
          body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
        }),
      async newTenant() {
        const id = `r-${randomBytes(5).toString('hex')}`;
        const res = await env.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { id } });
        if (res.status !== 201) throw new Error(`tenant not created: ${res.status} ${await res.text()}`);
        return { id, apiKey: ((await res.json()) as { apiKey: string }).apiKey };
      },
    } satisfies RouteEnv);
  });
  afterAll(() => sql?.end({ timeout: 5 }));
  return env;
}

/** The answer is the API's error with this status, its code, and a message naming `field`. */
export async function expectFieldError(res: Response, status: number, field: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string; requestId?: string } };
  expect(body.error.message).toMatch(field);
  expect(body.error.requestId).toEqual(expect.any(String));
}
