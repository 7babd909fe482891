import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { startReceiverProcess, type ReceiverProcess } from '../harness/receiver-process';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process-handle';

// A rate-limited endpoint served by two worker processes, one of which is SIGSTOPped for 15 s in the
// middle of its backlog (a long GC pause, a frozen VM) and then resumes.
const RATE = 5;
const BACKLOG = 150;
const STALL_MS = 15_000;
const env = testEnv({ HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_WORKER_CONCURRENCY: '16' });

let stack: Stack;
let workers: WorkerProcess[] = [];
// The receiver runs in its own process: its arrival times are what a receiver sees, not delayed and
// bunched by this process's event loop while it publishes the backlog through the in-process API.
let receiver: ReceiverProcess;

beforeAll(async () => {
  [stack, receiver, ...workers] = await Promise.all([startStack(env, { worker: false }), startReceiverProcess(), startWorkerProcess(env), startWorkerProcess(env)]);
});
afterAll(async () => {
  workers[0]?.child.kill('SIGCONT');
  await Promise.all(workers.map((w) => w.stop()));
  await receiver?.close();
  await stack?.stop();
});

test('a stalled worker neither bursts the rate limit when it resumes nor holds the endpoint while the other worker is up', async () => {
  const tenant = await stack.newTenant('paced');
  await tenant.api.createWebhook({ url: receiver.url, rateLimit: RATE });
  for (let i = 0; i < BACKLOG; i += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, j) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: i + j } })));
  }
  await receiver.waitForRequests(20, 60_000);
  const stalled = workers[0]!;
  stalled.child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  await new Promise((r) => setTimeout(r, STALL_MS));
  stalled.child.kill('SIGCONT');
  const resumedAt = Date.now();

  // At least once: a send the frozen worker had under way may be made again by the other one.
  const delivered = () => new Set(receiver.requests.map((r) => (JSON.parse(r.body) as { id: string }).id)).size;
  await waitFor(() => delivered() >= BACKLOG, { timeoutMs: 120_000, intervalMs: 500, what: 'every event delivered' });
  const at = receiver.requests.map((r) => r.at);
  // No 1-second window over the limit + 2, before, during or after the stall: one send already under
  // way when the worker froze may land late beside the others, and on a loaded machine two sends spaced
  // 1/rate apart when they leave may arrive a few ms closer, putting one more into a window at the
  // receiver. (Quiet runs see the limit + 1 at most; docs/fairness.md has the figures.)
  const busiest = Math.max(...at.map((t) => at.filter((x) => x >= t && x < t + 1_000).length));
  const duringStall = at.filter((t) => t > stoppedAt + 1_000 && t < resumedAt).length;
  console.log(JSON.stringify({ busiest, duringStall, perSecond: Array.from({ length: Math.ceil((at.at(-1)! - at[0]!) / 1000) }, (_, i) => at.filter((x) => x >= at[0]! + i * 1000 && x < at[0]! + (i + 1) * 1000).length), stallFrom: Math.round((stoppedAt - at[0]!) / 1000), stallTo: Math.round((resumedAt - at[0]!) / 1000) }));
  expect(busiest).toBeLessThanOrEqual(RATE + 2);
  // While one worker was frozen the other kept sending: the frozen one held no lock or turn the other waited on.
  expect(duringStall).toBeGreaterThanOrEqual((RATE * (STALL_MS - 1_000)) / 1_000 / 4);
}, 240_000);
