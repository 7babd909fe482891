import { ADMITTED_FOR_MS } from '../../temporal/activities/deliver/send-gate';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// Every claim of the relay is a transaction on Postgres. Events published one at a time (each
// delivered before the next) are each announced by a notification and found by one claim; nothing
// is left behind for another look.
const EVENTS = 12;

let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver(200);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const claims = async () => (await stack.metrics.outboxClaims.get()).values.reduce((sum, v) => sum + v.value, 0);

test('events published one at a time cost one outbox claim each, not a claim and further looks that find nothing', async () => {
  const tenant = await stack.newTenant('claims');
  await tenant.api.createWebhook({ url: receiver.url });
  const outboxRows = async () => (await stack.sql<{ n: number }[]>`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`)[0]!.n;
  await waitFor(async () => (await outboxRows()) === 0, { timeoutMs: 10_000, what: "the endpoint's own outbox row carried" });

  // Other test files share this database, and their publishes notify this relay too: each such
  // notification may cost it one claim that finds nothing, so the claims are counted against them.
  let notifications = 0;
  const listening = await stack.sql.listen('hookline_outbox', () => void (notifications += 1));
  const before = await claims();
  for (let i = 0; i < EVENTS; i++) {
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });
    await receiver.waitForRequests(i + 1, 10_000);
  }
  // A delivery admitted by a claim counts against its room for ADMITTED_FOR_MS at most: any look the
  // relay takes because of it comes within that time, so the count waits that long.
  await new Promise((resolve) => setTimeout(resolve, ADMITTED_FOR_MS + 500));
  const claimed = (await claims()) - before;
  await listening.unlisten();
  // One claim per notification (this test's EVENTS among them), and at most a few the periodic sweep made meanwhile.
  expect(notifications).toBeGreaterThanOrEqual(EVENTS);
  expect(claimed).toBeLessThanOrEqual(notifications + 3);
});

test("a backlog held for an endpoint's room is claimed as its sends end, without waiting for the relay's periodic sweep", async () => {
  // A worker of 8 send slots gives one endpoint 2: 60 events are at least 30 claims. Carried as the
  // sends end they take a second or two; a claim left to the 5 s sweep each time would take minutes.
  const small = await startStack({ HOOKLINE_WORKER_CONCURRENCY: '8' });
  try {
    const tenant = await small.newTenant('backlog');
    await tenant.api.createWebhook({ url: receiver.url });
    const before = receiver.requests.length;
    await Promise.all(Array.from({ length: 60 }, (_, i) => small.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })));
    await receiver.waitForRequests(before + 60, 30_000);
  } finally {
    await small.stop();
  }
}, 60_000);
