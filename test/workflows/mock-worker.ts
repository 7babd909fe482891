import { randomBytes } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../../temporal/activities';
import { endpointWorkflow } from '../../temporal/workflows/endpoint';
import { endpointStateQuery } from '../../temporal/workflows/messages';
import { workflowIds, type EndpointInput } from '../../temporal/workflows/types';
import { waitFor } from '../../tools/testkit/wait';

/** The real activities' signatures: every mock below is type-checked against them. */
export type Activities = ReturnType<typeof createActivities>;
export type ActivityName = keyof Activities;
export type ActivityInput<N extends ActivityName> = Parameters<Activities[N]>[0];

/** What the mocks do unless a test says otherwise: every send succeeds, nothing is stored as failing. */
export function defaultActivities(): Activities {
  return {
    deliver: async () => ({ attempt: 1, responseStatus: 200, endpointFailures: 0 }),
    saveFailureCount: async () => ({ disableAfterFailures: 3 }),
    disableEndpoint: async () => {},
    signalEndpoint: async () => {},
    fanOutBatch: async () => ({ started: 0, lastDeliveryId: null }),
    purgeBatch: async () => ({ tenantId: null, next: null, deliveries: 0, attempts: 0, events: 0, recoveries: 0 }),
    recoverBatch: async () => ({ done: true, queued: 0 }),
    nextFifoDeliveries: async () => ({ ordering: 'fifo', enabled: true, queue: [], localSend: false }),
    releaseFifoQueue: async () => 0,
    setCircuitState: async (input) => ({ probeInMs: input.state === 'open' ? 1_000 * 2 ** (input.opens - 1) : null }),
  };
}

export interface MockWorker {
  connection: NativeConnection;
  client: Client;
  taskQueue: string;
  /** What each activity does now; a test replaces entries, `beforeEach` restores the defaults. */
  behaviour: Activities;
  /** Every activity call so far, in the order the worker ran them. */
  calls: { name: ActivityName; input: unknown }[];
  /** The inputs of one activity's calls, optionally only those for one endpoint. */
  inputsOf<N extends ActivityName>(name: N, endpointId?: string): ActivityInput<N>[];
  /**
   * Runs `fn` while a second worker, with the same recorded activities, polls `taskQueue`: for tests
   * that must put messages into a workflow's history before any worker picks its task up.
   */
  withWorkerOn<T>(taskQueue: string, fn: () => Promise<T>): Promise<T>;
  /** Waits until the activity has been called `n` times (for that endpoint), then returns the inputs. */
  waitForCalls<N extends ActivityName>(name: N, n: number, endpointId?: string): Promise<ActivityInput<N>[]>;
}

/**
 * For a test file: a worker on the suite's Temporal server, on a task queue of its own, running the
 * prebuilt workflow bundle with mocked activities that record their calls. No Postgres, no HTTP.
 */
export function useMockWorker(address = () => process.env.HOOKLINE_TEST_TEMPORAL_ADDRESS!): MockWorker {
  const env = {} as MockWorker;
  env.behaviour = defaultActivities();
  env.calls = [];
  env.inputsOf = <N extends ActivityName>(name: N, endpointId?: string) =>
    env.calls
      .filter((c) => c.name === name && (endpointId === undefined || (c.input as { endpointId?: string }).endpointId === endpointId))
      .map((c) => c.input as ActivityInput<N>);
  env.waitForCalls = async (name, n, endpointId) => {
    try {
      return await waitFor(() => env.inputsOf(name, endpointId).length >= n && env.inputsOf(name, endpointId), { timeoutMs: 15_000 });
    } catch {
      throw new Error(`expected ${n} calls of ${name}, got ${JSON.stringify(env.inputsOf(name, endpointId))}`);
    }
  };
  let running: { worker: Worker; done: Promise<void> } | undefined;

  env.withWorkerOn = async (taskQueue, fn) => {
    const worker = await Worker.create({
      connection: env.connection,
      taskQueue,
      workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
      activities: recorded(env),
    });
    return worker.runUntil(fn);
  };

  beforeAll(async () => {
    quietSdkLogs();
    const connection = await NativeConnection.connect({ address: address() });
    env.connection = connection;
    env.client = new Client({ connection });
    env.taskQueue = `workflow-test-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({
      connection,
      taskQueue: env.taskQueue,
      workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
      activities: recorded(env),
    });
    running = { worker, done: worker.run() };
  });
  beforeEach(() => {
    env.behaviour = defaultActivities();
  });
  afterAll(async () => {
    // Endpoint workflows live until told otherwise: end whatever this file left running.
    if (env.client) {
      for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${env.taskQueue}" AND ExecutionStatus = "Running"` })) {
        await env.client.workflow.getHandle(wf.workflowId).terminate('test file over').catch(() => {});
      }
    }
    if (running) {
      running.worker.shutdown();
      await running.done;
    }
    await env.connection?.close();
  });
  return env;
}

/** Each activity records its input, then does what `env.behaviour` says at the time of the call. */
function recorded(env: MockWorker): Activities {
  const record = <N extends ActivityName>(name: N) =>
    (async (input: ActivityInput<N>) => {
      env.calls.push({ name, input });
      return (env.behaviour[name] as (i: ActivityInput<N>) => Promise<unknown>)(input);
    }) as Activities[N];
  return {
    deliver: record('deliver'),
    saveFailureCount: record('saveFailureCount'),
    disableEndpoint: record('disableEndpoint'),
    signalEndpoint: record('signalEndpoint'),
    fanOutBatch: record('fanOutBatch'),
    purgeBatch: record('purgeBatch'),
    recoverBatch: record('recoverBatch'),
    nextFifoDeliveries: record('nextFifoDeliveries'),
    releaseFifoQueue: record('releaseFifoQueue'),
    setCircuitState: record('setCircuitState'),
  };
}

/**
 * The SDK logs every worker start at INFO and every failed activity at WARN, which these tests make
 * on purpose: show only errors.
 */
export function quietSdkLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  } catch {
    // A runtime is installed already (another test file in this jest worker): keep it.
  }
}

/** The signals a workflow sent to other workflows, read from its history, arguments decoded. */
export async function signalsSentBy(handle: WorkflowHandle): Promise<{ workflowId: string; signalName: string; args: unknown[] }[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
    if (!a) return [];
    const args = (a.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p));
    return [{ workflowId: a.workflowExecution?.workflowId ?? '', signalName: a.signalName ?? '', args }];
  });
}

/** The input a run was started with (for continue-as-new: what the previous run handed over). */
export async function startInputOf(handle: WorkflowHandle): Promise<unknown> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/** A fresh id for one test's endpoint (its workflow id is `endpoint-<id>`). */
export function newEndpointId(label: string): string {
  return `ep_${label}_${randomBytes(4).toString('hex')}`;
}

/**
 * Starts an endpoint workflow (optionally with what continue-as-new would carry) and waits for its
 * first workflow task: signals that reach a run before it are reordered
 * (endpoint-workflow.test.ts), so the tests' messages then arrive in the order they are sent.
 */
export async function startEndpoint(w: MockWorker, tenantId: string, label: string, carried: Partial<EndpointInput> = {}) {
  const endpointId = newEndpointId(label);
  const handle = await w.client.workflow.start(endpointWorkflow, {
    workflowId: workflowIds.endpoint(endpointId),
    taskQueue: w.taskQueue,
    args: [{ tenantId, endpointId, ...carried }],
  });
  await waitFor(() => handle.query(endpointStateQuery), { what: 'the first workflow task' });
  return { endpointId, handle };
}
