import { ApplicationFailure, Context } from '@temporalio/activity';
import type { FifoHead } from '../../temporal/activities/fifo';
import { endpointWorkflow } from '../../temporal/workflows/endpoint';
import { endpointStateQuery, fifoWakeSignal, setEnabledSignal } from '../../temporal/workflows/messages';
import { workflowIds } from '../../temporal/workflows/types';
import { findOrBuildTemporalCli } from '../../tools/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { waitFor } from '../../tools/testkit/wait';
import { newEndpointId, useMockWorker, type MockWorker } from './mock-worker';

// The FIFO queue of the endpoint workflow (temporal/workflows/endpoint/fifo-queue.ts): real Temporal, mocked
// activities. The mocks keep each endpoint's queue as Postgres would (pending deliveries in order,
// a delivery leaves it when its send succeeds) and record every send.
const TENANT = 'tenant_fifo';

interface Queue {
  ordering: FifoHead['ordering'];
  enabled: boolean;
  items: string[];
  sent: string[];
  inFlight: number;
  maxInFlight: number;
  /** Attempts that fail (retryably) before a delivery succeeds. */
  failFirst: Map<string, number>;
}

function useFifoMocks(w: MockWorker) {
  const queues = new Map<string, Queue>();
  beforeEach(() => {
    w.behaviour.nextFifoDeliveries = async ({ endpointId, limit }) => {
      const q = queues.get(endpointId);
      if (!q) return null;
      return {
        ordering: q.ordering,
        enabled: q.enabled,
        localSend: false,
        queue: q.items.slice(0, limit).map((deliveryId) => ({ deliveryId, eventId: `evt_${deliveryId}`, eventType: 'card.viewed', kind: 'event' as const })),
      };
    };
    w.behaviour.deliver = async ({ endpointId, deliveryId }) => {
      const q = queues.get(endpointId)!;
      q.inFlight += 1;
      q.maxInFlight = Math.max(q.maxInFlight, q.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        q.sent.push(deliveryId);
        const failures = q.failFirst.get(deliveryId) ?? 0;
        if (Context.current().info.attempt <= failures) {
          throw ApplicationFailure.create({ type: 'AttemptFailed', message: 'HTTP 500', nextRetryDelay: 20 });
        }
        q.items = q.items.filter((id) => id !== deliveryId);
        return { attempt: Context.current().info.attempt, responseStatus: 200, endpointFailures: 0 };
      } finally {
        q.inFlight -= 1;
      }
    };
  });
  return (label: string, n: number, ordering: FifoHead['ordering'] = 'fifo') => {
    const endpointId = newEndpointId(label);
    const items = Array.from({ length: n }, (_, i) => `dlv_${endpointId}_${String(i + 1).padStart(3, '0')}`);
    const q: Queue = { ordering, enabled: true, items, sent: [], inFlight: 0, maxInFlight: 0, failFirst: new Map() };
    queues.set(endpointId, q);
    return { endpointId, q, all: [...items] };
  };
}

async function startEndpoint(w: MockWorker, endpointId: string) {
  const handle = await w.client.workflow.start(endpointWorkflow, { workflowId: workflowIds.endpoint(endpointId), taskQueue: w.taskQueue, args: [{ tenantId: TENANT, endpointId }] });
  await waitFor(() => handle.query(endpointStateQuery), { what: 'the first workflow task' });
  return handle;
}

const env = useMockWorker();
const queueOf = useFifoMocks(env);

test('woken, it sends the queue one delivery at a time in order; a retrying head holds the rest until it succeeds', async () => {
  const { endpointId, q, all } = queueOf('order', 6);
  q.failFirst.set(all[1]!, 2); // the second delivery fails twice, then succeeds
  const handle = await startEndpoint(env, endpointId);
  await handle.signal(fifoWakeSignal, {});
  await waitFor(() => q.items.length === 0, { what: 'the queue to drain', timeoutMs: 30_000 });
  expect(q.sent).toEqual([all[0], all[1], all[1], all[1], ...all.slice(2)]);
  expect(q.maxInFlight).toBe(1);
  // Each ran as the child workflow delivery-<id>, so the Web UI shows it and a duplicate cannot start.
  const child = env.client.workflow.getHandle(workflowIds.delivery(all[5]!));
  await waitFor(async () => (await child.describe()).status.name === 'COMPLETED', { what: 'the last child delivery to complete' });
  expect((await child.describe()).parentExecution?.workflowId).toBe(workflowIds.endpoint(endpointId));
  await handle.cancel();
});

test('new deliveries queued after the queue drained go out when the next wake-up comes', async () => {
  const { endpointId, q, all } = queueOf('later', 2);
  const handle = await startEndpoint(env, endpointId);
  await handle.signal(fifoWakeSignal, {});
  await waitFor(() => q.items.length === 0, { what: 'the first two' });
  q.items.push(`${all[1]}_more`);
  await handle.signal(fifoWakeSignal, {});
  await waitFor(() => q.items.length === 0, { what: 'the third' });
  expect(q.sent).toEqual([...all, `${all[1]}_more`]);
  await handle.cancel();
});

test('a disabled endpoint holds its queue; enabling it again lets it go on', async () => {
  const { endpointId, q, all } = queueOf('disabled', 3);
  const handle = await startEndpoint(env, endpointId);
  await handle.signal(setEnabledSignal, { enabled: false });
  await waitFor(async () => (await handle.query(endpointStateQuery)).enabled === false, { what: 'disabled' });
  await handle.signal(fifoWakeSignal, {});
  // The wake-up reached the workflow (a query answers after the signal's task) and sent nothing.
  await handle.query(endpointStateQuery);
  await new Promise((r) => setTimeout(r, 500));
  expect(q.sent).toEqual([]);
  await handle.signal(setEnabledSignal, { enabled: true });
  await waitFor(() => q.items.length === 0, { what: 'the queue after enabling' });
  expect(q.sent).toEqual(all);
  await handle.cancel();
});

test('an endpoint switched back to unordered hands its queue over to per-delivery workflows', async () => {
  const { endpointId } = queueOf('released', 3, 'unordered');
  const handle = await startEndpoint(env, endpointId);
  await handle.signal(fifoWakeSignal, {});
  expect(await env.waitForCalls('releaseFifoQueue', 1, endpointId)).toEqual([{ tenantId: TENANT, endpointId }]);
  expect(env.inputsOf('deliver', endpointId)).toEqual([]);
  await handle.cancel();
});

test('deleting the endpoint (cancelling its workflow) while a head retries ends the workflow normally', async () => {
  const { endpointId, q, all } = queueOf('deleted', 2);
  q.failFirst.set(all[0]!, 1000);
  const handle = await startEndpoint(env, endpointId);
  await handle.signal(fifoWakeSignal, {});
  await waitFor(() => q.sent.length >= 2, { what: 'the head retrying' });
  await handle.cancel();
  await waitFor(async () => (await handle.describe()).status.name !== 'RUNNING', { what: 'the workflow to end' });
  expect((await handle.describe()).status.name).toBe('COMPLETED');
  await env.client.workflow.getHandle(workflowIds.delivery(all[0]!)).terminate('test over');
  expect(q.sent.every((id) => id === all[0])).toBe(true);
});

describe('on a server that suggests continue-as-new after 40 history events', () => {
  let server: DevServer | undefined;
  beforeAll(async () => {
    server = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error', dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  });
  const small = useMockWorker(() => server!.address);
  const smallQueueOf = useFifoMocks(small);
  afterAll(async () => {
    await server?.stop();
  });

  test('the queue continues as new between deliveries: every delivery goes out once, in order, across several runs', async () => {
    const { endpointId, q, all } = smallQueueOf('can', 24);
    q.failFirst.set(all[7]!, 1);
    const handle = await startEndpoint(small, endpointId);
    await handle.signal(fifoWakeSignal, {});
    await waitFor(() => q.items.length === 0, { what: 'the queue to drain', timeoutMs: 60_000 });
    expect(q.sent).toEqual([...all.slice(0, 8), all[7], ...all.slice(8)]);
    expect(q.maxInFlight).toBe(1);
    const runs: string[] = [];
    for await (const w of small.client.workflow.list({ query: `WorkflowId = "${workflowIds.endpoint(endpointId)}"` })) runs.push(w.runId);
    expect(runs.length).toBeGreaterThan(1);
    await handle.cancel();
  });
});
