import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { deliveryWorkflow } from '../../temporal/workflows/delivery';
import { endpointWorkflow } from '../../temporal/workflows/endpoint';
import { endpointStateQuery } from '../../temporal/workflows/messages';
import { FailureType, workflowIds, type DeliveryInput, type DeliveryKind } from '../../temporal/workflows/types';
import { waitFor } from '../../tools/testkit/wait';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { newEndpointId, signalsSentBy, useMockWorker } from './mock-worker';

// The delivery workflow alone: real Temporal, mocked activities. Where a test needs the endpoint's
// workflow it runs the real one (on mocked activities too), started with a stored failure count.
const env = useMockWorker();
const TENANT = 'tenant_wf';

function deliveryInput(label: string, kind: DeliveryKind = 'event'): DeliveryInput {
  const endpointId = newEndpointId(label);
  return { deliveryId: `dlv_${endpointId}`, tenantId: TENANT, endpointId, eventId: `evt_${endpointId}`, eventType: 'card.viewed', kind };
}

function runDelivery(input: DeliveryInput) {
  return env.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(input.deliveryId), taskQueue: env.taskQueue, args: [input] });
}

/** The endpoint's workflow, running, with `failures` consecutive failures carried in. */
async function runEndpoint(input: DeliveryInput, failures: number) {
  const handle = await env.client.workflow.start(endpointWorkflow, {
    workflowId: workflowIds.endpoint(input.endpointId),
    taskQueue: env.taskQueue,
    args: [{ tenantId: input.tenantId, endpointId: input.endpointId, state: { consecutiveFailures: failures, enabled: true, disabledReason: null } }],
  });
  await waitFor(() => handle.query(endpointStateQuery), { what: 'the endpoint workflow up' });
  return handle;
}

const finalFailure = (type: string) => ApplicationFailure.create({ type, message: `attempt 1: ${type}`, nonRetryable: true });

test('a delivery that succeeds returns success and, when the endpoint has no failures stored, signals nobody', async () => {
  const input = deliveryInput('ok');
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'success' });
  expect(env.inputsOf('deliver', input.endpointId)).toEqual([input]);
  expect(await signalsSentBy(handle)).toEqual([]);
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([]);
});

test("a success while the endpoint has failures stored tells the endpoint's workflow, which resets its count", async () => {
  const input = deliveryInput('ok-reset');
  env.behaviour.deliver = async () => ({ attempt: 1, responseStatus: 204, endpointFailures: 2 });
  const endpoint = await runEndpoint(input, 2);
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'success' });
  expect(await signalsSentBy(handle)).toEqual([
    { workflowId: workflowIds.endpoint(input.endpointId), signalName: 'deliveryOutcome', args: [{ deliveryId: input.deliveryId, ok: true, gone: false }] },
  ]);
  expect(await env.waitForCalls('saveFailureCount', 1, input.endpointId)).toEqual([{ tenantId: TENANT, endpointId: input.endpointId, consecutiveFailures: 0 }]);
  expect(await endpoint.query(endpointStateQuery)).toEqual({ consecutiveFailures: 0, enabled: true, disabledReason: null });
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([]);
});

test('a success whose stored count is unknown (a retry that found the attempt already recorded) still reports, to be safe', async () => {
  const input = deliveryInput('ok-unknown');
  env.behaviour.deliver = async () => ({ attempt: 0, responseStatus: 0 });
  const endpoint = await runEndpoint(input, 0);
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'success' });
  expect((await signalsSentBy(handle)).map((s) => s.args)).toEqual([[{ deliveryId: input.deliveryId, ok: true, gone: false }]]);
  await endpoint.terminate('test over');
});

test("a final DeliveryFailed after retries returns failed and reports ok false to the endpoint's workflow, which counts it", async () => {
  const input = deliveryInput('failed');
  env.behaviour.deliver = async () => {
    const { attempt } = Context.current().info;
    if (attempt < 3) throw ApplicationFailure.create({ type: 'AttemptFailed', message: `attempt ${attempt}: HTTP 503`, nextRetryDelay: 10 });
    throw finalFailure(FailureType.DeliveryFailed);
  };
  const endpoint = await runEndpoint(input, 0);
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });
  expect(env.inputsOf('deliver', input.endpointId)).toEqual([input, input, input]);
  expect(await signalsSentBy(handle)).toEqual([
    { workflowId: workflowIds.endpoint(input.endpointId), signalName: 'deliveryOutcome', args: [{ deliveryId: input.deliveryId, ok: false, gone: false }] },
  ]);
  expect((await env.waitForCalls('saveFailureCount', 1, input.endpointId)).map((s) => s.consecutiveFailures)).toEqual([1]);
  await endpoint.terminate('test over');
});

test("a final EndpointGone returns failed and reports gone true, which disables the endpoint at once", async () => {
  const input = deliveryInput('gone');
  env.behaviour.deliver = async () => {
    throw finalFailure(FailureType.EndpointGone);
  };
  const endpoint = await runEndpoint(input, 0);
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.EndpointGone });
  expect((await signalsSentBy(handle)).map((s) => s.args)).toEqual([[{ deliveryId: input.deliveryId, ok: false, gone: true }]]);
  expect((await env.waitForCalls('disableEndpoint', 1, input.endpointId)).map((d) => d.reason)).toEqual(['gone']);
  await endpoint.terminate('test over');
});

test("when the endpoint's workflow is not running, the outcome goes through the signalEndpoint activity instead", async () => {
  const input = deliveryInput('no-endpoint-wf');
  env.behaviour.deliver = async () => {
    throw finalFailure(FailureType.DeliveryFailed);
  };
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([
    { tenantId: TENANT, endpointId: input.endpointId, outcome: { deliveryId: input.deliveryId, ok: false, gone: false } },
  ]);
});

test('an EndpointDeleted failure returns failed and reports nothing: there is no endpoint left to count for', async () => {
  const input = deliveryInput('deleted');
  env.behaviour.deliver = async () => {
    throw finalFailure(FailureType.EndpointDeleted);
  };
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.EndpointDeleted });
  expect(await signalsSentBy(handle)).toEqual([]);
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([]);
});

test('a test delivery never reports an outcome, whether it succeeds with failures stored or fails', async () => {
  const ok = deliveryInput('test-ok', 'test');
  const bad = deliveryInput('test-bad', 'test');
  env.behaviour.deliver = async (input) => {
    if (input.deliveryId === bad.deliveryId) throw finalFailure(FailureType.DeliveryFailed);
    return { attempt: 1, responseStatus: 200, endpointFailures: 5 };
  };
  const [okHandle, badHandle] = await Promise.all([runDelivery(ok), runDelivery(bad)]);
  expect(await okHandle.result()).toEqual({ status: 'success' });
  expect(await badHandle.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });
  expect(await signalsSentBy(okHandle)).toEqual([]);
  expect(await signalsSentBy(badHandle)).toEqual([]);
  expect([...env.inputsOf('signalEndpoint', ok.endpointId), ...env.inputsOf('signalEndpoint', bad.endpointId)]).toEqual([]);
});

test('a redelivery reports like an event delivery', async () => {
  const input = deliveryInput('redelivery', 'redelivery');
  env.behaviour.deliver = async () => {
    throw finalFailure(FailureType.DeliveryFailed);
  };
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });
  expect(env.inputsOf('signalEndpoint', input.endpointId).map((s) => s.outcome)).toEqual([{ deliveryId: input.deliveryId, ok: false, gone: false }]);
});

test('a final failure of a type the workflow does not know fails the workflow instead of being reported as a delivery outcome', async () => {
  const input = deliveryInput('unknown-failure');
  env.behaviour.deliver = async () => {
    throw finalFailure('SomethingElse');
  };
  const handle = await runDelivery(input);
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(await signalsSentBy(handle)).toEqual([]);
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([]);
});

test('a cancelled delivery (its endpoint was deleted) ends cancelled and reports nothing', async () => {
  const input = deliveryInput('cancelled');
  env.behaviour.deliver = async () => {
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), 100);
    try {
      return await context.cancelled;
    } finally {
      clearInterval(beat);
    }
  };
  const handle = await runDelivery(input);
  await env.waitForCalls('deliver', 1, input.endpointId);
  await handle.cancel();
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  expect(await signalsSentBy(handle)).toEqual([]);
  expect(env.inputsOf('signalEndpoint', input.endpointId)).toEqual([]);
});

test('over its rate limit, the delivery sleeps the wait on a timer and calls deliver again with the slot it reserved; a paused one without', async () => {
  const input = deliveryInput('rate-slot');
  const slot = { at: new Date(Date.now() + 600).toISOString(), epoch: 3, attemptsBefore: 0 };
  let calls = 0;
  env.behaviour.deliver = async () => {
    calls += 1;
    if (calls === 1) return { attempt: 0, responseStatus: 0, waitMs: 500, rateSlot: slot }; // over the rate
    if (calls === 2) return { attempt: 0, responseStatus: 0, waitMs: 300 }; // then the endpoint is paused
    return { attempt: 1, responseStatus: 200, endpointFailures: 0 };
  };
  const started = Date.now();
  const handle = await runDelivery(input);
  expect(await handle.result()).toEqual({ status: 'success' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  expect(env.inputsOf('deliver', input.endpointId)).toEqual([input, { ...input, rateSlot: slot }, input]);
  const timers = (await handle.fetchHistory()).events!.filter((e) => e.timerStartedEventAttributes).length;
  expect(timers).toBe(2);
});

describe('with the first attempt local (localFirst)', () => {
  const eventTypes = async (handle: { fetchHistory(): Promise<{ events?: { eventType?: unknown }[] | null }> }) =>
    ((await handle.fetchHistory()).events ?? []).map((e) => String(e.eventType));

  test('a first-try success started eagerly is one start and one task completion: six history events, no activity task', async () => {
    const input: DeliveryInput = { ...deliveryInput('local-first-ok'), localFirst: true };
    const local: boolean[] = [];
    env.behaviour.deliver = async () => {
      local.push(Context.current().info.isLocal);
      return { attempt: 1, responseStatus: 200, endpointFailures: 0 };
    };
    const handle = await env.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(input.deliveryId), taskQueue: env.taskQueue, args: [input], requestEagerStart: true });
    expect(handle.eagerlyStarted).toBe(true);
    expect(await handle.result()).toEqual({ status: 'success' });
    expect(local).toEqual([true]);
    const events = await eventTypes(handle);
    expect(events.length).toBeLessThanOrEqual(6);
    expect(events.some((e) => e.includes('ACTIVITY_TASK'))).toBe(false);
  });

  test('after a failed first attempt, the delay the activity chose is a durable timer and the next attempt a regular activity', async () => {
    const input: DeliveryInput = { ...deliveryInput('local-first-retry'), localFirst: true };
    const local: boolean[] = [];
    env.behaviour.deliver = async () => {
      local.push(Context.current().info.isLocal);
      if (local.length === 1) throw ApplicationFailure.create({ type: 'AttemptFailed', message: 'attempt 1: HTTP 503', nextRetryDelay: 700 });
      return { attempt: 2, responseStatus: 200, endpointFailures: 0 };
    };
    const handle = await runDelivery(input);
    expect(await handle.result()).toEqual({ status: 'success' });
    expect(local).toEqual([true, false]);
    const history = (await handle.fetchHistory()).events ?? [];
    const timers = history.filter((e) => e.timerStartedEventAttributes).map((e) => e.timerStartedEventAttributes!.startToFireTimeout);
    expect(timers.map((t) => Number(t!.seconds ?? 0) * 1000 + Math.round((t!.nanos ?? 0) / 1e6))).toEqual([700]);
    expect(history.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(1);
  });

  test('a final failure of the first attempt is not retried and is reported as the regular path reports it', async () => {
    const input: DeliveryInput = { ...deliveryInput('local-first-final'), localFirst: true };
    env.behaviour.deliver = async () => {
      throw finalFailure(FailureType.DeliveryFailed);
    };
    const handle = await runDelivery(input);
    expect(await handle.result()).toEqual({ status: 'failed', failure: FailureType.DeliveryFailed });
    expect(env.inputsOf('deliver', input.endpointId)).toHaveLength(1);
    expect(env.inputsOf('signalEndpoint', input.endpointId).map((s) => s.outcome)).toEqual([{ deliveryId: input.deliveryId, ok: false, gone: false }]);
  });
});

describe('on a server that suggests continue-as-new after 40 history events', () => {
  let server: DevServer | undefined;
  beforeAll(async () => {
    server = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error', dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  });
  const small = useMockWorker(() => server!.address);
  afterAll(async () => {
    await server?.stop();
  });

  test('a delivery waiting behind a long rate-limit backlog goes on in fresh runs, keeping its slot, and then succeeds once', async () => {
    const input = deliveryInput('long-wait');
    const slot = { at: new Date().toISOString(), epoch: 1, attemptsBefore: 0 };
    let calls = 0;
    small.behaviour.deliver = async () => {
      calls += 1;
      return calls < 12 ? { attempt: 0, responseStatus: 0, waitMs: 10, rateSlot: slot } : { attempt: 1, responseStatus: 200, endpointFailures: 0 };
    };
    const handle = await small.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(input.deliveryId), taskQueue: small.taskQueue, args: [input] });
    expect(await handle.result()).toEqual({ status: 'success' });
    expect(calls).toBe(12);
    // Every call after the first carried the slot, across runs.
    expect(small.inputsOf('deliver', input.endpointId).slice(1).every((i) => i.rateSlot?.epoch === 1)).toBe(true);
    const runs: string[] = [];
    for await (const w of small.client.workflow.list({ query: `WorkflowId = "${workflowIds.delivery(input.deliveryId)}"` })) runs.push(w.runId);
    expect(runs.length).toBeGreaterThan(1);
  });
});
