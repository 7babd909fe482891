import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// The API in this process; the first worker in a child process of its own, SIGKILLed mid-recovery;
// then a worker in this process finishes the recovery from the cursor the dead one committed.
const OVERRIDES = { HOOKLINE_RECOVERY_BATCH_SIZE: '4', HOOKLINE_RETRY_SCHEDULE: '200ms' };
const EVENTS = 40;
let stack: Stack;
let receiver: Receiver;
let child: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startStack(OVERRIDES, { worker: false });
  receiver = await startReceiver({ status: 200, delayMs: 100 });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await receiver?.close();
  await stack?.stop();
});

function startWorkerProcess(): ChildProcess {
  const env = { ...process.env, ...testEnv({ ...OVERRIDES, TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue }) };
  return spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../harness/worker-process.ts')], { env, stdio: 'ignore' });
}

test('a recovery whose worker is SIGKILLed mid-way finishes on another worker, queuing each delivery exactly once', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  const since = new Date(Date.now() - 1_000).toISOString();
  await tenant.api.updateWebhook(endpoint.id, { enabled: false });
  const events = new Set<string>();
  for (let i = 0; i < EVENTS; i++) events.add((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
  await tenant.api.updateWebhook(endpoint.id, { enabled: true });
  const { recoveryId } = await tenant.api.recoverWebhook(endpoint.id, { since, statuses: ['skipped'] });

  child = startWorkerProcess();
  // Mid-way: some queued and sent, most not yet (each batch waits while 8 are pending; sends take 100 ms).
  await waitFor(async () => {
    const r = await tenant.api.getRecovery(recoveryId);
    return r.queued >= 8 && receiver.requests.length >= 4 && r;
  }, { what: 'the recovery under way in the child worker', timeoutMs: 60_000, intervalMs: 20 });
  child.kill('SIGKILL');
  await waitFor(() => child!.exitCode !== null || child!.signalCode !== null, { what: 'the worker to die' });
  const atKill = await tenant.api.getRecovery(recoveryId);
  const arrivedBeforeKill = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
  expect(atKill.status).toBe('running');
  expect(atKill.queued).toBeLessThan(EVENTS);

  await stack.startWorker();
  const done = await waitFor(async () => {
    const r = await tenant.api.getRecovery(recoveryId);
    return r.status === 'completed' && r.pending === 0 && r;
  }, { what: 'the recovery to finish on the new worker', timeoutMs: 90_000 });
  expect(done).toMatchObject({ matched: EVENTS, queued: EVENTS, succeeded: EVENTS, failed: 0 });

  // Exactly one redelivery per skipped delivery, each a success.
  const rows = await stack.sql<{ recoveredFrom: string; status: string }[]>`
    select recovered_from, status from deliveries where recovery_id = ${recoveryId}`;
  expect(rows).toHaveLength(EVENTS);
  expect(new Set(rows.map((r) => r.recoveredFrom)).size).toBe(EVENTS);
  expect(rows.every((r) => r.status === 'success')).toBe(true);

  // Every event reached the receiver; a repeat only for one in flight when the worker died
  // (at least once: the receiver got it, the answer was never recorded).
  const counts = new Map<string, number>();
  for (const r of receiver.requests) counts.set(String(r.headers['webhook-id']), (counts.get(String(r.headers['webhook-id'])) ?? 0) + 1);
  expect(new Set(receiver.requests.map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(events);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  expect(repeated.filter((id) => !arrivedBeforeKill.has(id))).toEqual([]);
  expect(repeated.length).toBeLessThanOrEqual(8);
});
