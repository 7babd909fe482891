import { ensureDatabase, migrate } from '../../db/migrate';
import { createSql } from '../../db/sql';
import { freePort } from '../../tools/testkit/free-port';
import { createPgCluster, type PgCluster } from '../../tools/testkit/pg-cluster';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { startTcpProxy, type TcpProxy } from '../../tools/testkit/tcp-proxy';
import { waitFor } from '../../tools/testkit/wait';

// Postgres on a cluster of this file's own, reached through a proxy that can black-hole its port:
// connections then hang (no refusal, no reset) until the client's own connect timeout.
let cluster: PgCluster;
let proxy: TcpProxy;
let stack: Stack;
let receiver: Receiver;

/** How long Postgres stays stopped and its port silent: past the first try's timeout (30 s) and the next try's first heartbeat. */
const OUTAGE_MS = 45_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  cluster = await createPgCluster(`hookline_bh${process.pid}`, await freePort());
  const direct = cluster.url('hookline');
  await ensureDatabase(direct, (u) => createSql(u, { max: 1 }));
  const migrator = createSql(direct, { max: 1 });
  await migrate(migrator).finally(() => migrator.end());
  proxy = await startTcpProxy({ host: '127.0.0.1', port: cluster.port });
  stack = await startStack({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/hookline`, DATABASE_POOL_SIZE: '4' });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await proxy?.close();
  await cluster?.drop();
});

test('a receiver answered 2xx while Postgres was stopped and its port black-holed gets the event once, and the log shows one attempt', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  let outageOver: Promise<void> | undefined;
  receiver.script(async () => {
    proxy.blackHole();
    outageOver = cluster
      .stop('immediate')
      .then(() => sleep(OUTAGE_MS))
      .then(async () => {
        await cluster.start();
        proxy.forward();
      });
    // The receiver is slow to answer: Postgres goes away while it holds the request.
    await sleep(2_500);
    return 200;
  });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 1 } });

  await waitFor(() => receiver.requests.length > 0, { timeoutMs: 20_000, what: 'the first send' });
  await waitFor(() => outageOver !== undefined, { what: 'the outage to begin' });
  await outageOver;
  const delivery = await waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
    return d?.status === 'success' && d;
  }, { timeoutMs: 150_000, intervalMs: 500, what: 'the delivery recorded as success' });
  expect(receiver.requests).toHaveLength(1);
  const { attempts } = await tenant.api.getDelivery(delivery.id);
  expect(attempts.map((a) => a.responseStatus)).toEqual([200]);
}, 240_000);
