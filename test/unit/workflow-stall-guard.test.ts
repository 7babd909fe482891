import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { guardStalls } from '../../temporal/workflow-stall-guard';

/** A creator whose workflows answer an activation only when the test says so. */
function fakeCreator() {
  const pending: (() => void)[] = [];
  let destroyed = false;
  const workflow: Workflow = {
    activate: () => new Promise((resolve) => pending.push(() => resolve({ runId: 'r' }))),
    getAndResetSinkCalls: async () => [],
    dispose: async () => {},
  };
  const creator: WorkflowCreator = {
    createWorkflow: async () => workflow,
    destroy: async () => {
      destroyed = true;
    },
  };
  return { creator, answerAll: () => pending.splice(0).forEach((answer) => answer()), destroyed: () => destroyed };
}

async function waitFor(check: () => boolean, deadlineMs = 5_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const createOptions = {} as Parameters<WorkflowCreator['createWorkflow']>[0];

test('an activation out for longer than the limit is reported once, with how long it has been out', async () => {
  const fake = fakeCreator();
  const stalls: number[] = [];
  const guarded = guardStalls(fake.creator, 100, (ms) => stalls.push(ms));
  const workflow = await guarded.createWorkflow(createOptions);
  void workflow.activate({});
  await waitFor(() => stalls.length > 0);
  expect(stalls[0]).toBeGreaterThanOrEqual(100);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(stalls).toHaveLength(1);
  fake.answerAll();
  await guarded.destroy();
  expect(fake.destroyed()).toBe(true);
});

test('activations that answer within the limit are never reported, however many there are', async () => {
  const fake = fakeCreator();
  const stalls: number[] = [];
  const guarded = guardStalls(fake.creator, 200, (ms) => stalls.push(ms));
  const workflow = await guarded.createWorkflow(createOptions);
  const started = Date.now();
  while (Date.now() - started < 600) {
    const answered = workflow.activate({});
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.answerAll();
    await expect(answered).resolves.toEqual({ runId: 'r' });
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(stalls).toEqual([]);
  await guarded.destroy();
});

test('time the whole process stood still (SIGSTOP, a paused VM) is not counted: an activation answered soon after is no stall', async () => {
  const fake = fakeCreator();
  const stalls: number[] = [];
  let frozenFor = 0;
  const guarded = guardStalls(fake.creator, 5_000, (ms) => stalls.push(ms), () => Date.now() + frozenFor);
  const workflow = await guarded.createWorkflow(createOptions);
  const answered = workflow.activate({});
  // The process stood still for a minute while the activation was out: its clock jumps, and the
  // guard's next checks run as it wakes, before the workflow thread (which stood still too) answers.
  frozenFor = 60_000;
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  fake.answerAll();
  await answered;
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  expect(stalls).toEqual([]);
  await guarded.destroy();
});
