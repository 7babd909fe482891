import { waitFor } from '../../tools/testkit/wait';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { useStackAndReceiver } from '../harness/use-stack';

const env = useStackAndReceiver({ HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_RECOVERY_BATCH_SIZE: '5' });
const eventIdOf = (body: string) => (JSON.parse(body) as { id: string }).id;

let live: Receiver;
beforeAll(async () => (live = await startReceiver(200)));
afterAll(async () => live?.close());

test('thirty concurrent recoveries of one endpoint with distinct Idempotency-Keys: one runs, each failed delivery is re-sent once, live traffic keeps flowing', async () => {
  const tenant = await env.stack.newTenant('storm');
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  env.receiver.fallback = 500;
  await Promise.all(Array.from({ length: 20 }, (_, i) => env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })));
  await waitFor(async () => (await tenant.api.listDeliveries(endpoint.id, { status: 'failed', limit: 100 })).data.length === 20, { what: '20 failed deliveries', timeoutMs: 120_000 });
  env.receiver.fallback = 200;
  const before = env.receiver.requests.length;

  const other = await env.stack.newTenant('bystander');
  await other.api.createWebhook({ url: live.url });
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => tenant.api.recoverWebhook(endpoint.id, { since: '1970-01-01T00:00:00Z' }, { idempotencyKey: `storm-${i}` })),
  );
  const liveSent: { id: string; at: number }[] = [];
  for (let i = 0; i < 5; i++) {
    liveSent.push({ id: (await env.stack.admin.publish({ tenantId: other.id, type: 'card.viewed', data: { i } })).id, at: Date.now() });
  }

  const ids = new Set(answers.map((a) => a.recoveryId));
  expect(ids.size).toBe(1);
  const [recoveryId] = [...ids];
  await waitFor(async () => {
    const r = await tenant.api.getRecovery(recoveryId!);
    return r.status !== 'running' && r.pending === 0 && r;
  }, { what: 'the recovery to finish', timeoutMs: 120_000 });
  const resent = env.receiver.requests.slice(before).map((r) => eventIdOf(r.body));
  expect(resent).toHaveLength(20);
  expect(new Set(resent).size).toBe(20);

  // The bystander's deliveries arrived while the storm ran (a bound a loaded CI machine keeps; timing targets are the bench's).
  const arrived = await live.waitForRequests(5, 60_000);
  for (const sent of liveSent) {
    const got = arrived.find((r) => eventIdOf(r.body) === sent.id);
    expect(got!.at - sent.at).toBeLessThan(15_000);
  }

  // Once it has finished, another recovery over an overlapping range sends nothing already delivered.
  const again = await tenant.api.recoverWebhook(endpoint.id, { since: '1970-01-01T00:00:00Z' }, { idempotencyKey: 'after-the-storm' });
  expect(again.recoveryId).not.toBe(recoveryId);
  const done = await waitFor(async () => {
    const r = await tenant.api.getRecovery(again.recoveryId);
    return r.status !== 'running' && r;
  }, { what: 'the second recovery to finish', timeoutMs: 60_000 });
  expect(done).toMatchObject({ status: 'completed', queued: 0 });
  expect(env.receiver.requests.length - before).toBe(20);
}, 360_000);
