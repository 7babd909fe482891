import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { endpointWorkflow } from '../../temporal/workflows/endpoint';
import { endpointStateQuery, fifoWakeSignal } from '../../temporal/workflows/messages';
import { ARRIVAL_ORDER } from '../../temporal/workflows/patches';
import { workflowIds } from '../../temporal/workflows/types';
import { waitFor } from '../../tools/testkit/wait';
import { bundleBeforePatches } from './code-before-patches';
import { defaultActivities, newEndpointId, useMockWorker } from './mock-worker';

// Runs that started on older workflow code and are carried on by today's worker (real Temporal,
// mocked activities). Each takes its old path by replaying a first task recorded without the patch.
const TENANT = 'tenant_old_runs';
const env = useMockWorker();
let beforeArrivalOrder: string;

beforeAll(async () => {
  beforeArrivalOrder = await bundleBeforePatches([ARRIVAL_ORDER]);
}, 120_000);

test('a run from before the arrival-order patch, its endpoint switched to FIFO, sends its queue when the relay wakes it', async () => {
  const endpointId = newEndpointId('old_fifo');
  const queue = [`dlv_${endpointId}_1`, `dlv_${endpointId}_2`];
  const sent: string[] = [];
  env.behaviour.nextFifoDeliveries = async (input) =>
    input.endpointId !== endpointId
      ? null
      : { ordering: 'fifo', enabled: true, localSend: false, queue: queue.map((deliveryId) => ({ deliveryId, eventId: `evt_${deliveryId}`, eventType: 'card.viewed', kind: 'event' as const })) };
  env.behaviour.deliver = async ({ deliveryId }) => {
    sent.push(deliveryId);
    queue.splice(queue.indexOf(deliveryId), 1);
    return { attempt: 1, responseStatus: 200, endpointFailures: 0 };
  };

  // The run's first workflow task on the code from before the patch (no cache: nothing sticks to this worker).
  const taskQueue = `old-runs-${randomBytes(4).toString('hex')}`;
  const old = await Worker.create({ connection: env.connection, taskQueue, workflowBundle: { codePath: beforeArrivalOrder }, activities: defaultActivities(), maxCachedWorkflows: 0 });
  const handle = await old.runUntil(async () => {
    const started = await env.client.workflow.start(endpointWorkflow, { workflowId: workflowIds.endpoint(endpointId), taskQueue, args: [{ tenantId: TENANT, endpointId }] });
    await waitFor(() => started.query(endpointStateQuery), { what: 'the first workflow task on the old code' });
    return started;
  });

  // Today's worker carries the run on; the endpoint became FIFO and the relay wakes its workflow.
  await env.withWorkerOn(taskQueue, async () => {
    await handle.signal(fifoWakeSignal, {});
    await waitFor(() => sent.length === 2, { timeoutMs: 20_000, what: 'the queued deliveries sent' });
    expect(sent).toEqual([`dlv_${endpointId}_1`, `dlv_${endpointId}_2`]);
    // Still the old path: the run records no arrival-order marker.
    expect(await patchesIn(handle)).not.toContain(ARRIVAL_ORDER);
    await handle.terminate('test over');
  });
});

/** The patch ids a run recorded. */
async function patchesIn(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const payload = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
    return payload ? [(defaultPayloadConverter.fromPayload(payload) as { id: string }).id] : [];
  });
}
