import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../db/migrate';
import { createSql, withTenant } from '../../db/sql';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../tools/embedded-postgres';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// `npm run dev` on a machine without Postgres: the same schema, RLS and delivery path on PGlite.
let pg: EmbeddedPostgres;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  pg = await startEmbeddedPostgres(mkdtempSync(path.join(os.tmpdir(), 'hookline-pglite-')));
  const migrator = createSql(pg.url, { max: 1 });
  await migrate(migrator);
  await migrate(migrator); // twice is a no-op
  await migrator.end();
  stack = await startStack({ DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '1' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await pg?.stop();
});

test('an event is stored, delivered and logged with the embedded Postgres', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  receiver.script(503);
  await stack.admin.publish({ tenantId: tenant.id, type: 'contact.saved', data: { n: 1 } });
  const delivery = await waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
    return d?.status === 'success' && d;
  }, { what: 'the delivery' });
  expect((await tenant.api.getDelivery(delivery.id)).attempts.map((a) => a.responseStatus)).toEqual([503, 200]);
  expect(receiver.requests).toHaveLength(2);

  // Row-level security binds here too: another tenant's setting sees none of these rows.
  const other = await stack.newTenant();
  const seen = await withTenant(stack.sql, other.id, (tx) => tx`select count(*)::int as n from deliveries`);
  expect(seen[0]!.n).toBe(0);
});
