import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { purgeWorkflow } from '../../temporal/workflows/purge';
import type { PurgeInput, PurgePosition } from '../../temporal/workflows/types';
import { startInputOf, useMockWorker } from './mock-worker';

// The purge workflow alone: real Temporal, a scripted purgeBatch standing for the database.
const env = useMockWorker();

/** Two tenants: a (three batches, the first two full), then b (one), then none left. */
const SCRIPT: Record<string, { tenantId: string | null; next: PurgePosition | null; deleted: number }> = {
  ':false': { tenantId: 'a', next: { tenantId: 'a', pastIt: false }, deleted: 10 },
  'a:false': { tenantId: 'a', next: { tenantId: 'a', pastIt: true }, deleted: 4 },
  'a:true': { tenantId: 'b', next: { tenantId: 'b', pastIt: true }, deleted: 1 },
  'b:true': { tenantId: null, next: null, deleted: 0 },
};

function scripted(position: PurgePosition) {
  const step = SCRIPT[`${position.tenantId}:${position.pastIt}`]!;
  return Promise.resolve({ tenantId: step.tenantId, next: step.next, deliveries: step.deleted, attempts: 2 * step.deleted, events: step.deleted, recoveries: 0 });
}

const run = (input: PurgeInput) =>
  env.client.workflow.start(purgeWorkflow, { workflowId: `purge-${randomBytes(4).toString('hex')}`, taskQueue: env.taskQueue, args: [input] });

test('the purge walks every tenant batch by batch until none is left, and adds up what it deleted', async () => {
  env.behaviour.purgeBatch = scripted;
  const before = env.calls.length;
  const handle = await run({});
  expect(await handle.result()).toEqual({ batches: 3, deliveries: 15, attempts: 30, events: 15 });
  const positions = env.calls.slice(before).filter((c) => c.name === 'purgeBatch').map((c) => c.input);
  expect(positions).toEqual([
    { tenantId: '', pastIt: false },
    { tenantId: 'a', pastIt: false },
    { tenantId: 'a', pastIt: true },
    { tenantId: 'b', pastIt: true },
  ]);
});

test('after its batches per run it continues as new from where it was, with the totals so far', async () => {
  env.behaviour.purgeBatch = scripted;
  const handle = await run({ batchesPerRun: 2 });
  expect(await handle.result()).toEqual({ batches: 3, deliveries: 15, attempts: 30, events: 15 });
  const latest = env.client.workflow.getHandle(handle.workflowId);
  expect((await latest.describe()).runId).not.toBe(handle.firstExecutionRunId);
  expect(await startInputOf(latest)).toEqual({ position: { tenantId: 'a', pastIt: true }, totals: { batches: 2, deliveries: 14, attempts: 28, events: 14 }, batchesPerRun: 2 });
});

test('a batch that fails (Postgres away) is retried, and the purge carries on', async () => {
  let failures = 1;
  env.behaviour.purgeBatch = async (position) => {
    if (failures-- > 0) throw ApplicationFailure.create({ message: 'connection refused' });
    return scripted(position);
  };
  expect(await (await run({})).result()).toEqual({ batches: 3, deliveries: 15, attempts: 30, events: 15 });
});
