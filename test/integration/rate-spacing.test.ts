import { spaceRateSend } from '../../db/queries/flow';
import { withTenant } from '../../db/sql';
import { useStackAndReceiver } from '../harness/use-stack';

// The send-time spacing of a rate-limited endpoint (db/queries/flow.ts): a send that will not go now
// must not take a turn, or a backlog after a worker stall pushes the next turn ahead forever.
const env = useStackAndReceiver();

test('a send told to wait longer than it may hold the activity does not take a turn; one that goes does', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url, rateLimit: 1 });
  const { sql } = env.stack;
  await sql`update endpoints set rate_sent_tat = clock_timestamp() + interval '12 seconds' where id = ${endpoint.id}`;
  const space = () => withTenant(sql, tenant.id, (tx) => spaceRateSend(tx, endpoint.id, 5_000));
  const aheadMs = async () =>
    (await sql<{ ms: number }[]>`select (extract(epoch from rate_sent_tat - clock_timestamp()) * 1000)::float8 as ms from endpoints where id = ${endpoint.id}`)[0]!.ms;

  for (let i = 0; i < 5; i++) {
    const wait = await space();
    expect(wait!.taken).toBe(false);
    expect(wait!.waitMs).toBeGreaterThan(10_000);
  }
  expect(await aheadMs()).toBeLessThan(12_500); // not pushed on by the five that did not go

  await sql`update endpoints set rate_sent_tat = clock_timestamp() + interval '2 seconds' where id = ${endpoint.id}`;
  const goes = await space();
  expect(goes).toMatchObject({ taken: true });
  expect(goes!.waitMs).toBeGreaterThan(1_000);
  expect(await aheadMs()).toBeGreaterThan(2_500); // its turn taken: the next one follows 1 s later
});
