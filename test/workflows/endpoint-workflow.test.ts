import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { endpointWorkflow } from '../../temporal/workflows/endpoint';
import { deliveryOutcomeSignal, endpointStateQuery, sendTestSignal, setEnabledSignal } from '../../temporal/workflows/messages';
import { FailureType, workflowIds, type EndpointInput, type EndpointState } from '../../temporal/workflows/types';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { waitFor } from '../../tools/testkit/wait';
import { newEndpointId, signalsSentBy, startEndpoint as startInTenant, startInputOf, useMockWorker, type MockWorker } from './mock-worker';

// The endpoint workflow alone: real Temporal, mocked activities. Each test has an endpoint of its
// own; its messages are handled in arrival order, so a later message's effect proves the earlier
// ones were handled.
const env = useMockWorker();
const TENANT = 'tenant_wf';

const startEndpoint = (w: MockWorker, label: string, carried: Partial<EndpointInput> = {}) => startInTenant(w, TENANT, label, carried);

const fail = (handle: WorkflowHandle, n = 1, gone = false) =>
  Promise.all(Array.from({ length: n }, (_, i) => handle.signal(deliveryOutcomeSignal, { deliveryId: `dlv_f${i}`, ok: false, gone })));
const succeed = (handle: WorkflowHandle) => handle.signal(deliveryOutcomeSignal, { deliveryId: 'dlv_ok', ok: true, gone: false });

/** Waits until the workflow's state, as its query shows it, is `expected`. */
async function stateBecomes(handle: WorkflowHandle, expected: EndpointState): Promise<void> {
  let last: EndpointState | undefined;
  try {
    await waitFor(async () => {
      last = await handle.query(endpointStateQuery);
      return isDeepStrictEqual(last, expected);
    }, { timeoutMs: 15_000 });
  } catch (err) {
    throw new Error(`expected state ${JSON.stringify(expected)}, last ${JSON.stringify(last)} (${String(err)})`);
  }
}

const savedCounts = (w: MockWorker, endpointId: string) => w.inputsOf('saveFailureCount', endpointId).map((i) => i.consecutiveFailures);
/** The state changes before the activity that follows it runs: wait for the saves, then compare them all. */
async function expectSavedCounts(w: MockWorker, endpointId: string, counts: number[]): Promise<void> {
  await w.waitForCalls('saveFailureCount', counts.length, endpointId);
  expect(savedCounts(w, endpointId)).toEqual(counts);
}

test('failures count up, each saved, and the endpoint is disabled once when the count reaches the threshold saveFailureCount returns', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 3 });
  const { endpointId, handle } = await startEndpoint(env, 'threshold');

  await fail(handle, 2);
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: true, disabledReason: null });
  expect(env.inputsOf('disableEndpoint', endpointId)).toEqual([]);

  await fail(handle, 2);
  await stateBecomes(handle, { consecutiveFailures: 4, enabled: false, disabledReason: 'consecutive_failures' });
  await expectSavedCounts(env, endpointId, [1, 2, 3, 4]);
  expect(await env.waitForCalls('disableEndpoint', 1, endpointId)).toEqual([
    { tenantId: TENANT, endpointId, reason: 'consecutive_failures', consecutiveFailures: 3, noticeEventId: expect.stringMatching(/^evt_[0-9a-f-]{36}$/) },
  ]);
  // Disabled right after the save that reached the threshold, before the next failure's save.
  const order = env.calls.filter((c) => (c.input as { endpointId: string }).endpointId === endpointId).map((c) => c.name);
  expect(order).toEqual(['saveFailureCount', 'saveFailureCount', 'saveFailureCount', 'disableEndpoint', 'saveFailureCount']);
});

test('the threshold is whatever saveFailureCount returns at the time of each failure', async () => {
  env.behaviour.saveFailureCount = async ({ consecutiveFailures }) => ({ disableAfterFailures: consecutiveFailures < 2 ? 10 : 2 });
  const { endpointId, handle } = await startEndpoint(env, 'live-threshold');
  await fail(handle, 2);
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: false, disabledReason: 'consecutive_failures' });
  expect(await env.waitForCalls('disableEndpoint', 1, endpointId)).toHaveLength(1);
});

test('a success after failures resets the count to 0 and saves it; a success with nothing to reset saves nothing', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 10 });
  const { endpointId, handle } = await startEndpoint(env, 'reset');

  await succeed(handle); // nothing to reset yet
  await fail(handle, 2);
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: true, disabledReason: null });
  await succeed(handle);
  await stateBecomes(handle, { consecutiveFailures: 0, enabled: true, disabledReason: null });
  await succeed(handle); // nothing to reset again
  await fail(handle); // handled after the success before it
  await stateBecomes(handle, { consecutiveFailures: 1, enabled: true, disabledReason: null });

  await expectSavedCounts(env, endpointId, [1, 2, 0, 1]);
  expect(env.inputsOf('disableEndpoint', endpointId)).toEqual([]);
});

test('a gone outcome disables the endpoint at once, with reason gone, and only once', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 10 });
  const { endpointId, handle } = await startEndpoint(env, 'gone');

  await fail(handle);
  await stateBecomes(handle, { consecutiveFailures: 1, enabled: true, disabledReason: null });
  await fail(handle, 1, true);
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: false, disabledReason: 'gone' });
  expect(await env.waitForCalls('disableEndpoint', 1, endpointId)).toEqual([
    { tenantId: TENANT, endpointId, reason: 'gone', consecutiveFailures: 2, noticeEventId: expect.stringMatching(/^evt_/) },
  ]);

  await fail(handle, 1, true); // already disabled: no second notice
  await fail(handle);
  await stateBecomes(handle, { consecutiveFailures: 4, enabled: false, disabledReason: 'gone' });
  // A gone outcome moves the count but saves it only through the disable (see the report).
  await expectSavedCounts(env, endpointId, [1, 4]);
  expect(env.inputsOf('disableEndpoint', endpointId)).toHaveLength(1);
});

test('disabling by hand keeps the count; enabling again resets it, and failures then count from 1 towards a new disable', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 3 });
  const { endpointId, handle } = await startEndpoint(env, 'enable');

  await fail(handle, 2);
  await handle.signal(setEnabledSignal, { enabled: false });
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: false, disabledReason: 'manual' });
  await handle.signal(setEnabledSignal, { enabled: true });
  await stateBecomes(handle, { consecutiveFailures: 0, enabled: true, disabledReason: null });
  await expectSavedCounts(env, endpointId, [1, 2, 0]);
  // The API changed the row itself; the workflow sends no notice for a manual disable.
  expect(env.inputsOf('disableEndpoint', endpointId)).toEqual([]);

  // Disabled by failures, enabled again: the next run of failures disables it again.
  await fail(handle, 3);
  await stateBecomes(handle, { consecutiveFailures: 3, enabled: false, disabledReason: 'consecutive_failures' });
  await handle.signal(setEnabledSignal, { enabled: true });
  await stateBecomes(handle, { consecutiveFailures: 0, enabled: true, disabledReason: null });
  await fail(handle, 3);
  await stateBecomes(handle, { consecutiveFailures: 3, enabled: false, disabledReason: 'consecutive_failures' });
  await expectSavedCounts(env, endpointId, [1, 2, 0, 1, 2, 3, 0, 1, 2, 3]);
  expect((await env.waitForCalls('disableEndpoint', 2, endpointId)).map((d) => [d.reason, d.consecutiveFailures])).toEqual([
    ['consecutive_failures', 3],
    ['consecutive_failures', 3],
  ]);
});

test('enabling an endpoint that has no failures saves nothing', async () => {
  const { endpointId, handle } = await startEndpoint(env, 'enable-clean');
  await handle.signal(setEnabledSignal, { enabled: true });
  await fail(handle);
  await stateBecomes(handle, { consecutiveFailures: 1, enabled: true, disabledReason: null });
  await expectSavedCounts(env, endpointId, [1]);
});

test('a test request starts a child delivery of kind test, whose outcome, success or failure, never moves the count', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 10 });
  env.behaviour.deliver = async (input) => {
    if (input.deliveryId.endsWith('_bad')) throw ApplicationFailure.create({ type: FailureType.DeliveryFailed, nonRetryable: true, message: 'HTTP 500' });
    return { attempt: 1, responseStatus: 200, endpointFailures: 2 };
  };
  const { endpointId, handle } = await startEndpoint(env, 'test-send');
  await fail(handle, 2);
  await stateBecomes(handle, { consecutiveFailures: 2, enabled: true, disabledReason: null });

  await handle.signal(sendTestSignal, { deliveryId: `dlv_${endpointId}_good`, eventId: 'evt_test_1' });
  await handle.signal(sendTestSignal, { deliveryId: `dlv_${endpointId}_bad`, eventId: 'evt_test_2' });
  const good = env.client.workflow.getHandle(workflowIds.delivery(`dlv_${endpointId}_good`));
  const bad = env.client.workflow.getHandle(workflowIds.delivery(`dlv_${endpointId}_bad`));
  await waitFor(() => good.describe(), { what: 'the first child delivery' });
  await waitFor(() => bad.describe(), { what: 'the second child delivery' });
  expect(await good.result()).toEqual({ status: 'success' });
  expect(await bad.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });

  expect(env.inputsOf('deliver', endpointId)).toEqual([
    { tenantId: TENANT, endpointId, deliveryId: `dlv_${endpointId}_good`, eventId: 'evt_test_1', eventType: 'webhook.test', kind: 'test' },
    { tenantId: TENANT, endpointId, deliveryId: `dlv_${endpointId}_bad`, eventId: 'evt_test_2', eventType: 'webhook.test', kind: 'test' },
  ]);
  const child = await good.describe();
  expect(child.parentExecution?.workflowId).toBe(workflowIds.endpoint(endpointId));
  expect(child.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
    expect.arrayContaining([
      ['HooklineTenantId', TENANT],
      ['HooklineEndpointId', endpointId],
      ['HooklineEventType', 'webhook.test'],
    ]),
  );
  expect(await signalsSentBy(good)).toEqual([]);
  expect(await signalsSentBy(bad)).toEqual([]);
  expect(env.inputsOf('signalEndpoint', endpointId)).toEqual([]);

  await fail(handle); // after both test requests: the count went on from 2
  await stateBecomes(handle, { consecutiveFailures: 3, enabled: true, disabledReason: null });
  await expectSavedCounts(env, endpointId, [1, 2, 3]);
});

test('a test request for a disabled endpoint still sends', async () => {
  const { endpointId, handle } = await startEndpoint(env, 'test-disabled');
  await handle.signal(setEnabledSignal, { enabled: false });
  await handle.signal(sendTestSignal, { deliveryId: `dlv_${endpointId}`, eventId: 'evt_test' });
  const child = env.client.workflow.getHandle(workflowIds.delivery(`dlv_${endpointId}`));
  await waitFor(() => child.describe(), { what: 'the child delivery' });
  expect(await child.result()).toEqual({ status: 'success' });
  await stateBecomes(handle, { consecutiveFailures: 0, enabled: false, disabledReason: 'manual' });
});

test('cancelling the workflow (the endpoint was deleted) is its normal end: it completes', async () => {
  const { handle } = await startEndpoint(env, 'deleted');
  await fail(handle);
  await stateBecomes(handle, { consecutiveFailures: 1, enabled: true, disabledReason: null });
  await handle.cancel();
  await expect(handle.result()).resolves.toBeUndefined();
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});

test('a run started with a carried state and queued messages (what continue-as-new hands over) keeps the state and handles the queue first', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 10 });
  const { endpointId, handle } = await startEndpoint(env, 'carried', {
    state: { consecutiveFailures: 4, enabled: true, disabledReason: null },
    pending: [
      { kind: 'outcome', deliveryId: 'dlv_q1', ok: false, gone: false },
      { kind: 'enabled', enabled: false },
      { kind: 'test', deliveryId: 'dlv_carried_test', eventId: 'evt_carried' },
    ],
  });
  await fail(handle); // arrives after the queue: handled last
  await stateBecomes(handle, { consecutiveFailures: 6, enabled: false, disabledReason: 'manual' });
  await expectSavedCounts(env, endpointId, [5, 6]);
  const child = env.client.workflow.getHandle(workflowIds.delivery('dlv_carried_test'));
  await waitFor(() => child.describe(), { what: 'the queued test delivery' });
  expect(await child.result()).toEqual({ status: 'success' });
});

// Before the catch in endpoint.ts's `test` case, startChild's WorkflowExecutionAlreadyStartedError
// made the endpoint workflow FAIL, and the next outcome's fallback started a fresh run at count 0.
test('a repeated test request whose delivery is still running does not end the endpoint workflow', async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  env.behaviour.deliver = async () => {
    await released;
    return { attempt: 1, responseStatus: 200, endpointFailures: 0 };
  };
  const { endpointId, handle } = await startEndpoint(env, 'dup-test');
  const request = { deliveryId: `dlv_${endpointId}`, eventId: 'evt_dup' };
  try {
    await handle.signal(sendTestSignal, request);
    await env.waitForCalls('deliver', 1, endpointId);
    await handle.signal(sendTestSignal, request); // the same request again (a retried signal), the child still running
    await fail(handle);
    const outcome = await waitFor(async () => {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return status.name;
      return (await handle.query(endpointStateQuery)).consecutiveFailures === 1 && status.name;
    }, { what: 'the failure handled or the workflow ended' });
    expect(outcome).toBe('RUNNING');
  } finally {
    release();
  }
});

// Known defect (see the report): signals that reach a run before its first workflow task are
// buffered by the SDK and dispatched per handler as each is registered (outcome, test, enabled),
// not in arrival order. Here "enable, then fail" is handled as "fail, then enable": count 0, not 1.
// This passes while the defect is there; when it is fixed, make it a plain test().
test('messages that reach a new run before its first workflow task are handled in arrival order', async () => {
  env.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 10 });
  const endpointId = newEndpointId('early');
  const idle = `${env.taskQueue}-idle`; // no worker polls it until the signals are in the history
  const handle = await env.client.workflow.start(endpointWorkflow, {
    workflowId: workflowIds.endpoint(endpointId),
    taskQueue: idle,
    args: [{ tenantId: TENANT, endpointId, state: { consecutiveFailures: 2, enabled: false, disabledReason: 'consecutive_failures' } }],
  });
  await handle.signal(setEnabledSignal, { enabled: true });
  await handle.signal(deliveryOutcomeSignal, { deliveryId: 'dlv_after_enable', ok: false, gone: false });
  await env.withWorkerOn(idle, async () => {
    await env.waitForCalls('saveFailureCount', 2, endpointId);
    const state = await handle.query(endpointStateQuery);
    await handle.terminate('test over');
    expect({ saved: savedCounts(env, endpointId), state }).toEqual({ saved: [0, 1], state: { consecutiveFailures: 1, enabled: true, disabledReason: null } });
  });
});

describe('on a server that suggests continue-as-new after 40 history events', () => {
  let server: DevServer | undefined;
  beforeAll(async () => {
    server = await startDevServer({
      binary: await findOrBuildTemporalCli(),
      port: await freePort(),
      logLevel: 'error',
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 },
    });
  });
  // Registered after the server's hook, so its worker connects once the server is up.
  const small = useMockWorker(() => server!.address);
  afterAll(async () => {
    await server?.stop();
  });

  test('the workflow continues as new, handing over its count and disabled state, and no outcome is lost on the way', async () => {
    small.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 25 });
    const { endpointId, handle } = await startEndpoint(small, 'can');
    const firstRunId = handle.firstExecutionRunId;

    // In bursts, so that some outcomes arrive while a hand-over is under way.
    for (let burst = 0; burst < 6; burst++) await fail(handle, 5);
    await stateBecomes(handle, { consecutiveFailures: 30, enabled: false, disabledReason: 'consecutive_failures' });
    await expectSavedCounts(small, endpointId, Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await small.waitForCalls('disableEndpoint', 1, endpointId)).map((d) => d.consecutiveFailures)).toEqual([25]);

    // The hand-over comes a moment after the last outcome's save (see the known defect below).
    const latest = await waitFor(async () => {
      const d = await handle.describe();
      return d.runId !== firstRunId && d.status.name === 'RUNNING' && d;
    }, { what: 'a running later run' });
    expect((await small.client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const handedOver = (await startInputOf(small.client.workflow.getHandle(handle.workflowId, latest.runId))) as EndpointInput;
    // It started from the state the run before handed over (how far that run got depends on when
    // the hand-over came), not from scratch.
    expect(handedOver).toMatchObject({ tenantId: TENANT, endpointId, state: { consecutiveFailures: expect.any(Number) } });
    expect(handedOver.state!.consecutiveFailures).toBeGreaterThan(0);

    // And it goes on from there: a success resets the count in the newest run.
    await succeed(handle);
    await stateBecomes(handle, { consecutiveFailures: 0, enabled: false, disabledReason: 'consecutive_failures' });
    await expectSavedCounts(small, endpointId, [...Array.from({ length: 30 }, (_, i) => i + 1), 0]);
  });

  // Known defect (see the report): the loop checks continueAsNewSuggested only once the queue is
  // empty, so while outcomes keep arriving faster than they are handled the run never hands over and
  // its history grows towards the hard limit; `pending` is always [] when it does. Here 30 queued
  // failures (about 180 events) all run in the first run, on a server that suggests a hand-over at 40.
  // This passes while the defect is there; when it is fixed, make it a plain test().
  test('a run with a long queue hands over when Temporal suggests it, carrying the messages still queued', async () => {
    small.behaviour.saveFailureCount = async () => ({ disableAfterFailures: 100 });
    const endpointId = newEndpointId('can-queue');
    const idle = `${small.taskQueue}-idle`;
    const handle = await small.client.workflow.start(endpointWorkflow, { workflowId: workflowIds.endpoint(endpointId), taskQueue: idle, args: [{ tenantId: TENANT, endpointId }] });
    for (let i = 0; i < 30; i++) await handle.signal(deliveryOutcomeSignal, { deliveryId: `dlv_q${i}`, ok: false, gone: false });
    await small.withWorkerOn(idle, async () => {
      await expectSavedCounts(small, endpointId, Array.from({ length: 30 }, (_, i) => i + 1));
      const latest = await waitFor(async () => {
        const d = await handle.describe();
        return d.runId !== handle.firstExecutionRunId && d;
      }, { what: 'a later run' });
      const firstRun = await small.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
      const handedOver = (await startInputOf(small.client.workflow.getHandle(handle.workflowId, latest.runId))) as EndpointInput;
      await handle.terminate('test over');
      expect(firstRun.events!.length).toBeLessThan(80);
      expect(handedOver.pending?.length ?? 0).toBeGreaterThan(0);
    });
  });
});
