import { ensureDatabase, migrate } from '../../db/migrate';
import { createSql } from '../../db/sql';
import { freePort } from '../../tools/testkit/free-port';
import { createPgCluster, type PgCluster } from '../../tools/testkit/pg-cluster';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// Postgres on a cluster of this file's own, so it can be stopped and started under a running stack.
let cluster: PgCluster;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  cluster = await createPgCluster(`hookline_t${process.pid}`, await freePort());
  const url = cluster.url('hookline');
  await ensureDatabase(url, (u) => createSql(u, { max: 1 }));
  const migrator = createSql(url, { max: 1 });
  await migrate(migrator).finally(() => migrator.end());
  stack = await startStack({ DATABASE_URL: url, DATABASE_POOL_SIZE: '4' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await cluster?.drop();
});

test('a receiver answered 2xx while Postgres was down is not sent the event again: the answer is recorded when Postgres is back', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  let restarted: Promise<void> | undefined;
  receiver.script(async () => {
    await cluster.stop('immediate');
    restarted = new Promise((resolve) => setTimeout(resolve, 2_500)).then(() => cluster.start());
    return 200;
  });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 1 } });

  const delivery = await waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
    return d?.status === 'success' && d;
  }, { timeoutMs: 60_000, what: 'the delivery recorded as success' });
  await restarted;
  expect(receiver.requests).toHaveLength(1);
  const { attempts } = await tenant.api.getDelivery(delivery.id);
  expect(attempts.map((a) => a.responseStatus)).toEqual([200]);
});

test('while Postgres is down the API answers 503 with Retry-After, and serves again once it is back', async () => {
  await cluster.stop('immediate');
  try {
    const res = await fetch(`${stack.api.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', type: 'card.viewed', data: {} }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  } finally {
    await cluster.start();
  }
  await waitFor(async () => (await stack.newTenant()).id, { timeoutMs: 20_000, what: 'the API to serve again' });
});
