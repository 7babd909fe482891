import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { EXIT_WORKFLOW_STALL } from '../../bin/run';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process-handle';

// Workers enter the workflow sandbox without Node's per-call watchdog (temporal/workflow-sandbox.ts);
// workflow code that never returns is caught by the stall limit instead: the worker process stops
// with its own exit code, for its supervisor to start a fresh one.
const env = testEnv({ HOOKLINE_WORKFLOW_STALL_LIMIT: '5s' });

let stack: Stack;
let receiver: Receiver;
let worker: WorkerProcess;

beforeAll(async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../fixtures/workflows/with-spin'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
  const bundle = path.join(mkdtempSync(path.join(tmpdir(), 'hookline-spin-')), 'bundle.js');
  writeFileSync(bundle, code);
  [stack, receiver] = await Promise.all([startStack(env, { worker: false }), startReceiver(200)]);
  worker = await startWorkerProcess({ ...env, HOOKLINE_TEST_WORKFLOW_BUNDLE: bundle });
}, 120_000);
afterAll(async () => {
  await worker?.kill();
  await receiver?.close();
  await stack?.stop();
});

test('a worker delivers on the sandbox, goes on after standing still, and stops with its stall exit code when workflow code never returns', async () => {
  const tenant = await stack.newTenant('stall');
  await tenant.api.createWebhook({ url: receiver.url });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 1 } });
  await waitFor(() => receiver.requests.length === 1, { what: 'the delivery received' });
  expect(worker.child.exitCode).toBeNull();

  // A process that stood still longer than the limit (SIGSTOP, a paused VM) in the middle of a flood
  // is not stalled: it goes on delivering when it wakes.
  await Promise.all(Array.from({ length: 30 }, (_, n) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n } })));
  await waitFor(() => receiver.requests.length > 1, { what: 'the flood under way' });
  worker.child.kill('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  worker.child.kill('SIGCONT');
  await waitFor(() => new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size === 31, { timeoutMs: 60_000, what: 'every delivery of the flood received' });
  expect(worker.child.exitCode).toBeNull();

  const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
  await stack.client.workflow.start('spinWorkflow', { taskQueue: stack.config.temporal.taskQueue, workflowId: `spin-${tenant.id}`, workflowTaskTimeout: '60s' });
  const startedAt = Date.now();
  expect(await exited).toBe(EXIT_WORKFLOW_STALL);
  // Not long before the limit, nor long after it: the guard looks every second and counts an
  // activation from its last look, and the activation began before the start's answer came back.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3_500);
  expect(Date.now() - startedAt).toBeLessThan(30_000);
  await stack.client.workflow.getHandle(`spin-${tenant.id}`).terminate('test over');
}, 120_000);
