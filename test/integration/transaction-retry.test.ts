import { Hono } from 'hono';
import { createErrorHandler } from '../../api/errors';
import { createSql, retryAborted, type Sql } from '../../db/sql';
import { createLogger } from '../../infra/logger';
import { loadConfig } from '../../infra/config';
import { testEnv } from '../../tools/testkit/stack';

// A real deadlock on the suite's Postgres: two transactions take two advisory locks in opposite
// orders, and Postgres aborts one of them (40P01) so the other goes on.
let sql: Sql;
beforeAll(() => {
  sql = createSql(loadConfig(testEnv()).databaseUrl, { max: 4 });
});
afterAll(() => sql?.end({ timeout: 5 }));

/** Two transactions that deadlock on their first try; `retry` wraps each. Returns their outcomes and tries. */
async function deadlockPair(retry: <T>(t: () => Promise<T>) => Promise<T>, keys: [number, number]) {
  const tries = [0, 0];
  let holding = 0;
  let bothHold!: () => void;
  const bothHolding = new Promise<void>((resolve) => (bothHold = resolve));
  const transaction = (n: 0 | 1, first: number, second: number) =>
    retry(() =>
      sql.begin(async (tx) => {
        tries[n]! += 1;
        await tx`select pg_advisory_xact_lock(${first})`;
        // The first try of each waits until both hold their first lock: the deadlock is certain.
        if (tries[n] === 1 && ++holding === 2) bothHold();
        if (tries[n] === 1) await bothHolding;
        await tx`select pg_advisory_xact_lock(${second})`;
        return n;
      }),
    );
  const outcomes = await Promise.allSettled([transaction(0, keys[0], keys[1]), transaction(1, keys[1], keys[0])]);
  return { outcomes, tries };
}

test('without retryAborted one transaction of a deadlock fails with 40P01 (what a publish answered as a 500)', async () => {
  const { outcomes } = await deadlockPair((t) => t(), [7_001, 7_002]);
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(failed).toHaveLength(1);
  expect((failed[0]!.reason as { code?: string }).code).toBe('40P01');
});

test('with retryAborted the aborted transaction runs again and both succeed', async () => {
  const { outcomes, tries } = await deadlockPair(retryAborted, [7_003, 7_004]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  expect(tries[0]! + tries[1]!).toBe(3); // one of them twice
});

test('retryAborted passes any other error through at once, and gives up after three aborted tries', async () => {
  let calls = 0;
  await expect(retryAborted(async () => (calls++, await sql`select 1/0`))).rejects.toMatchObject({ code: '22012' });
  expect(calls).toBe(1);
  calls = 0;
  await expect(retryAborted(() => (calls++, Promise.reject(Object.assign(new Error('deadlock detected'), { code: '40P01' }))))).rejects.toThrow('deadlock detected');
  expect(calls).toBe(3);
});

test('a deadlock that reaches the API (a route without retries, or out of tries) answers 503 with Retry-After, not 500', async () => {
  const { outcomes } = await deadlockPair((t) => t(), [7_005, 7_006]);
  const aborted = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as Error;
  const app = new Hono();
  app.onError(createErrorHandler(createLogger('silent')));
  app.post('/write', () => Promise.reject(aborted));
  const res = await app.request('/write', { method: 'POST' });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('unavailable');
  expect(body.error.message).toMatch(/concurrent.*retry/);
});

test('a write that refers to a row deleted meanwhile (a foreign key, 23503) answers 409, not 500', async () => {
  const broken = await sql
    .begin(async (tx) => {
      await tx`create temp table parent_row (id int primary key) on commit drop`;
      await tx`create temp table child_row (parent int references parent_row) on commit drop`;
      await tx`insert into child_row values (1)`;
    })
    .catch((err: Error) => err);
  expect((broken as { code?: string }).code).toBe('23503');
  const app = new Hono();
  app.onError(createErrorHandler(createLogger('silent')));
  app.post('/write', () => Promise.reject(broken));
  const res = await app.request('/write', { method: 'POST' });
  expect(res.status).toBe(409);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('conflict');
});
