import { ApplicationFailure } from '@temporalio/activity';
import { randomBytes } from 'node:crypto';
import { recoveryWorkflow } from '../../temporal/workflows/recovery';
import { workflowIds } from '../../temporal/workflows/types';
import { startInputOf, useMockWorker } from './mock-worker';

// The recovery workflow alone: real Temporal, the batch activity mocked. The workflow keeps no state
// of its own: it asks for batches until one says done, waits when told, and hands over between runs.
const env = useMockWorker();
const TENANT = 'tenant_wf';
const newRecoveryId = (label: string) => `rcv_${label}_${randomBytes(4).toString('hex')}`;

function runRecovery(recoveryId: string) {
  return env.client.workflow.start(recoveryWorkflow, { workflowId: workflowIds.recovery(recoveryId), taskQueue: env.taskQueue, args: [{ tenantId: TENANT, recoveryId }] });
}

test('asks for batches until one says done, sleeping as long as a busy endpoint asks', async () => {
  const recoveryId = newRecoveryId('steps');
  const steps = [{ done: false, queued: 4 }, { done: false, waitMs: 300, queued: 0 }, { done: false, queued: 4 }, { done: true, queued: 1 }];
  const calledAt: number[] = [];
  env.behaviour.recoverBatch = async () => (calledAt.push(Date.now()), steps.shift()!);
  const handle = await runRecovery(recoveryId);
  await handle.result();
  expect(env.inputsOf('recoverBatch').filter((i) => i.recoveryId === recoveryId)).toEqual(Array(4).fill({ tenantId: TENANT, recoveryId }));
  expect(calledAt[2]! - calledAt[1]!).toBeGreaterThanOrEqual(290);
});

test('a failing batch is retried (it resumes from the cursor it committed), and the recovery still completes', async () => {
  const recoveryId = newRecoveryId('retry');
  let calls = 0;
  env.behaviour.recoverBatch = async () => {
    calls += 1;
    if (calls === 2) throw ApplicationFailure.retryable('Postgres went away', 'Unavailable');
    return calls >= 3 ? { done: true, queued: 0 } : { done: false, queued: 2 };
  };
  await (await runRecovery(recoveryId)).result();
  expect(calls).toBe(3);
});

test('a long recovery continues as new with the same input', async () => {
  const recoveryId = newRecoveryId('long');
  let calls = 0;
  env.behaviour.recoverBatch = async () => ((calls += 1), calls > 205 ? { done: true, queued: 0 } : { done: false, queued: 1 });
  const handle = await runRecovery(recoveryId);
  await handle.result();
  const latest = env.client.workflow.getHandle(handle.workflowId);
  const description = await latest.describe();
  expect(description.runId).not.toBe(handle.firstExecutionRunId);
  expect(await startInputOf(latest)).toEqual({ tenantId: TENANT, recoveryId });
  expect(calls).toBe(206);
});
