import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { createActivities } from '../temporal/activities';
import type { AttemptResult } from '../temporal/activities/deliver';
import type { FifoHead } from '../temporal/activities/fifo';
import { signalEndpointWorkflow, startDeliveryWorkflow } from '../temporal/client';
import { deliveryWorkflow, endpointWorkflow, fanOutWorkflow, purgeWorkflow, recoveryWorkflow } from '../temporal/workflows';
import { circuitSignal, deliveryOutcomeSignal, endpointStateQuery, fifoWakeSignal, sendTestSignal, setEnabledSignal } from '../temporal/workflows/messages';
import { FailureType, workflowIds, type DeliveryInput } from '../temporal/workflows/types';
import { findOrBuildTemporalCli } from './temporal/temporal-cli';
import { bundleOptions } from '../temporal/workflow-bundles';
import { startDevServer, type DevServer } from './temporal/temporal-dev-server';
import { freePort } from './testkit/free-port';
import { waitFor } from './testkit/wait';

/**
 * `npx tsx tools/record-histories.ts <generation>`: records a history of every workflow type, through
 * each path that matters, from the CURRENT workflow code, into
 * test/fixtures/histories/<generation>-<name>.json (the JSON
 * of `temporal workflow show -o json`). test/replay/replay.test.ts replays them all: a change that
 * would break a running workflow fails it. Re-record only for a change that needs no `patched()`
 * (no execution of the old code can be running anywhere), and say so in the commit.
 *
 * Activities are mocked (no Postgres, no HTTP) and typed against the real ones; what reaches
 * Temporal from them (starts, signal-with-start) goes through the real client functions.
 */
const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
/** `npx tsx tools/record-histories.ts v2`: files are named `<generation>-<case>.json`; older generations stay and keep replaying. */
const PREFIX = process.argv[2] ? `${process.argv[2]}-` : '';
const TENANT = 'tenant_fixture';
const IDENTITY = 'record-histories';

type Activities = ReturnType<typeof createActivities>;

/**
 * The format: what `temporal workflow show -o json` and the Web UI's download write, so a history
 * taken from a real cluster can be dropped in beside these. The SDK's `historyToJSON` and
 * `historyFromJSON` (@temporalio/common/lib/proto-utils) do the same but fail in this install with
 * "type must be a Type": npm gives @temporalio/common and @temporalio/proto each their own copy of
 * protobufjs 8 (the top level holds grpc's protobufjs 7), and protojson checks `instanceof Type`
 * against its own copy. So use the protojson of the copy that built @temporalio/proto's types.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [require.resolve('@temporalio/proto')] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Reads a history file back (fields a newer server added are ignored, as the SDK's loader does). */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}


interface FifoQueue {
  ordering: FifoHead['ordering'];
  items: string[];
}

interface Recorder {
  client: Client;
  taskQueue: string;
  /** What `deliver` does for a delivery id (default: success, nothing stored as failing). */
  deliver: Map<string, () => Promise<AttemptResult>>;
  /** An endpoint's FIFO queue (delivery ids) as `nextFifoDeliveries` shows it; `deliver` takes the done ones out. */
  fifoQueues: Map<string, FifoQueue>;
  stop(): Promise<void>;
}

const final = (type: string) => ApplicationFailure.create({ type, message: `attempt ${Context.current().info.attempt}: ${type}`, nonRetryable: true });

async function startRecorder(address: string, workflowBundle: { code: string }): Promise<Recorder> {
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection, identity: IDENTITY });
  const taskQueue = 'hookline-fixtures';
  const deliver = new Map<string, () => Promise<AttemptResult>>();
  const recoverySteps = new Map<string, number>();
  const fifoQueues = new Map<string, FifoQueue>();
  const activities: Activities = {
    deliver: async (input) => {
      // A delivery done leaves its endpoint's FIFO queue, as its row leaves `pending`.
      const queue = fifoQueues.get(input.endpointId);
      if (queue) queue.items = queue.items.filter((id) => id !== input.deliveryId);
      return (deliver.get(input.deliveryId) ?? (async () => ({ attempt: 1, responseStatus: 200, endpointFailures: 0 })))();
    },
    saveFailureCount: async () => ({ disableAfterFailures: 3 }),
    disableEndpoint: async () => {},
    setCircuitState: async (input) => ({ probeInMs: input.state === 'open' ? 1_000 * 2 ** (input.opens - 1) : null }),
    // As the real one, minus the check that the endpoint row still exists.
    signalEndpoint: async (input) => signalEndpointWorkflow(client, taskQueue, input, deliveryOutcomeSignal, input.outcome),
    // Two batches, as the real one pages through the event's deliveries.
    fanOutBatch: async (input) => {
      const ids = input.after === null ? ['dlv_fan_1', 'dlv_fan_2'] : ['dlv_fan_3'];
      const inputs = ids.map((deliveryId) => ({ deliveryId, tenantId: input.tenantId, endpointId: `ep_${deliveryId}`, eventId: input.eventId, eventType: input.eventType, kind: 'event' as const }));
      for (const d of inputs) await startDeliveryWorkflow(client, taskQueue, d);
      return { started: ids.length, lastDeliveryId: input.after === null ? 'dlv_fan_2' : null };
    },
    // Tenant a: two batches (the first hits the limit), then tenant b, then none left.
    purgeBatch: async (position) => {
      const steps: Record<string, { tenantId: string | null; pastIt: boolean; deleted: number }> = {
        ':false': { tenantId: 'tenant_a', pastIt: false, deleted: 1000 },
        'tenant_a:false': { tenantId: 'tenant_a', pastIt: true, deleted: 12 },
        'tenant_a:true': { tenantId: 'tenant_b', pastIt: true, deleted: 3 },
        'tenant_b:true': { tenantId: null, pastIt: true, deleted: 0 },
      };
      const step = steps[`${position.tenantId}:${position.pastIt}`] ?? steps['tenant_b:true']!;
      const next = step.tenantId === null ? null : { tenantId: step.tenantId, pastIt: step.pastIt };
      return { tenantId: step.tenantId, next, deliveries: step.deleted, attempts: step.deleted * 2, events: step.deleted, recoveries: 0 };
    },
    // Per recovery: two batches queued, one that waits for the endpoint's pending deliveries, then
    // batches until the `recovery_<n>` in its id, then done (the real one reads its cursor from Postgres).
    recoverBatch: async (input) => {
      const step = (recoverySteps.get(input.recoveryId) ?? 0) + 1;
      recoverySteps.set(input.recoveryId, step);
      const last = Number(/_(\d+)$/.exec(input.recoveryId)?.[1] ?? 4);
      if (step === 3) return { done: false, waitMs: 10, queued: 0 };
      return step >= last ? { done: true, queued: 1 } : { done: false, queued: 2 };
    },
    // The endpoint's queue as the test set it, less the deliveries done.
    nextFifoDeliveries: async (input) => {
      const queue = fifoQueues.get(input.endpointId) ?? { ordering: 'fifo' as const, items: [] };
      return {
        ordering: queue.ordering,
        enabled: true,
        localSend: false,
        queue: queue.items.slice(0, input.limit).map((deliveryId) => ({ deliveryId, eventId: `evt_${deliveryId}`, eventType: 'card.viewed', kind: 'event' as const })),
      };
    },
    releaseFifoQueue: async () => 1,
  };
  const worker = await Worker.create({ connection, taskQueue, workflowBundle, activities, identity: IDENTITY });
  const running = worker.run();
  return {
    client,
    taskQueue,
    deliver,
    fifoQueues,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  writeFileSync(path.join(OUT, `${PREFIX}${name}.json`), `${historyToJson(history)}\n`);
  console.log(`  ${PREFIX}${name}.json: ${history.events?.length ?? 0} events`);
}

const closed = (handle: WorkflowHandle) =>
  waitFor(async () => (await handle.describe()).status.name !== 'RUNNING', { what: `${handle.workflowId} closed`, timeoutMs: 30_000 });

function deliveryInput(id: string, kind: DeliveryInput['kind'] = 'event'): DeliveryInput {
  return { deliveryId: `dlv_${id}`, tenantId: TENANT, endpointId: `ep_${id}`, eventId: `evt_${id}`, eventType: 'card.viewed', kind };
}

async function runDelivery(r: Recorder, input: DeliveryInput) {
  const handle = await r.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(input.deliveryId), taskQueue: r.taskQueue, args: [input] });
  await handle.result().catch(() => undefined);
  return handle;
}

async function runEndpoint(r: Recorder, endpointId: string) {
  const handle = await r.client.workflow.start(endpointWorkflow, { workflowId: workflowIds.endpoint(endpointId), taskQueue: r.taskQueue, args: [{ tenantId: TENANT, endpointId }] });
  await waitFor(() => handle.query(endpointStateQuery), { what: `${endpointId} up` });
  return handle;
}

const stateIs = (handle: WorkflowHandle, want: { consecutiveFailures: number; enabled: boolean }) =>
  waitFor(async () => {
    const s = await handle.query(endpointStateQuery);
    return s.consecutiveFailures === want.consecutiveFailures && s.enabled === want.enabled;
  }, { what: `${handle.workflowId} at ${JSON.stringify(want)}` });

const outcome = (handle: WorkflowHandle, ok: boolean, gone = false) => handle.signal(deliveryOutcomeSignal, { deliveryId: 'dlv_x', ok, gone });

async function recordDeliveries(r: Recorder): Promise<void> {
  await save('delivery-success-first-try', await runDelivery(r, deliveryInput('first_try')));

  // A success while the endpoint has failures stored: signals the running endpoint workflow.
  const resets = deliveryInput('resets');
  r.deliver.set(resets.deliveryId, async () => ({ attempt: 1, responseStatus: 200, endpointFailures: 2 }));
  const resetsEndpoint = await runEndpoint(r, resets.endpointId);
  await save('delivery-success-resets-endpoint', await runDelivery(r, resets));

  const retried = deliveryInput('retried');
  r.deliver.set(retried.deliveryId, async () => {
    const { attempt } = Context.current().info;
    if (attempt < 3) throw ApplicationFailure.create({ type: 'AttemptFailed', message: `attempt ${attempt}: HTTP 503`, nextRetryDelay: 10 });
    throw final(FailureType.DeliveryFailed);
  });
  const retriedEndpoint = await runEndpoint(r, retried.endpointId);
  await save('delivery-retried-then-failed', await runDelivery(r, retried));

  // 410 with no endpoint workflow running: the signal fails, the signalEndpoint activity starts it.
  const gone = deliveryInput('gone');
  r.deliver.set(gone.deliveryId, async () => {
    throw final(FailureType.EndpointGone);
  });
  await save('delivery-gone-endpoint-not-running', await runDelivery(r, gone));
  const goneEndpoint = r.client.workflow.getHandle(workflowIds.endpoint(gone.endpointId));
  await waitFor(async () => (await goneEndpoint.query(endpointStateQuery)).disabledReason === 'gone', { what: 'disabled as gone' });
  await goneEndpoint.cancel();
  await closed(goneEndpoint);
  await save('endpoint-started-by-outcome-gone', goneEndpoint);

  const deleted = deliveryInput('deleted');
  r.deliver.set(deleted.deliveryId, async () => {
    throw final(FailureType.EndpointDeleted);
  });
  await save('delivery-endpoint-deleted', await runDelivery(r, deleted));

  const cancelled = deliveryInput('cancelled');
  r.deliver.set(cancelled.deliveryId, async () => {
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), 100);
    return context.cancelled.finally(() => clearInterval(beat));
  });
  const cancelledHandle = await r.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(cancelled.deliveryId), taskQueue: r.taskQueue, args: [cancelled] });
  await waitFor(async () => (await cancelledHandle.describe()).raw.pendingActivities?.length === 1, { what: 'the attempt under way' });
  await cancelledHandle.cancel();
  await closed(cancelledHandle);
  await save('delivery-cancelled', cancelledHandle);

  for (const h of [resetsEndpoint, retriedEndpoint]) await h.terminate('recorded');
}

/** Counts failures, is disabled, re-enabled, runs a test send (a child), resets, is disabled by hand, then deleted. */
async function recordEndpointLifecycle(r: Recorder): Promise<void> {
  const endpoint = await runEndpoint(r, 'ep_lifecycle');
  for (let i = 0; i < 3; i++) await outcome(endpoint, false);
  await stateIs(endpoint, { consecutiveFailures: 3, enabled: false });
  await endpoint.signal(setEnabledSignal, { enabled: true });
  await stateIs(endpoint, { consecutiveFailures: 0, enabled: true });
  await endpoint.signal(sendTestSignal, { deliveryId: 'dlv_lifecycle_test', eventId: 'evt_lifecycle_test' });
  const child = r.client.workflow.getHandle(workflowIds.delivery('dlv_lifecycle_test'));
  await waitFor(() => child.result(), { what: 'the test delivery' });
  await outcome(endpoint, false);
  await stateIs(endpoint, { consecutiveFailures: 1, enabled: true });
  await outcome(endpoint, true);
  await stateIs(endpoint, { consecutiveFailures: 0, enabled: true });
  await endpoint.signal(setEnabledSignal, { enabled: false });
  await stateIs(endpoint, { consecutiveFailures: 0, enabled: false });
  await endpoint.cancel();
  await closed(endpoint);
  await save('endpoint-lifecycle', endpoint);
  await save('delivery-test', child);
}

/** The circuit breaker: a trip opens it, the cool-down (a timer) makes it half-open, a failed probe opens it again, a good one closes it. */
async function recordCircuit(r: Recorder): Promise<void> {
  const endpoint = await runEndpoint(r, 'ep_circuit');
  const circuitIs = (state: string, opens: number) =>
    waitFor(async () => {
      const c = (await endpoint.query(endpointStateQuery)).circuit;
      return c?.state === state && c.opens === opens;
    }, { what: `ep_circuit ${state} (${opens})` });
  await endpoint.signal(circuitSignal, { event: 'trip' });
  await circuitIs('half_open', 1);
  await endpoint.signal(circuitSignal, { event: 'probe', ok: false });
  await circuitIs('half_open', 2);
  await endpoint.signal(circuitSignal, { event: 'probe', ok: true });
  await circuitIs('closed', 0);
  await endpoint.cancel();
  await closed(endpoint);
  await save('endpoint-circuit', endpoint);
}

async function recordFanOut(r: Recorder): Promise<void> {
  const handle = await r.client.workflow.start(fanOutWorkflow, {
    workflowId: workflowIds.fanOut(TENANT, 'evt_fan'),
    taskQueue: r.taskQueue,
    args: [{ tenantId: TENANT, eventId: 'evt_fan', eventType: 'card.viewed' }],
  });
  await handle.result();
  await save('fan-out', handle);
}

/** A purge over two tenants in one run, and one that continues as new after two batches. */
async function recordPurge(r: Recorder): Promise<void> {
  const whole = await r.client.workflow.start(purgeWorkflow, { workflowId: 'purge-fixture-one-run', taskQueue: r.taskQueue, args: [{}] });
  await whole.result();
  await save('purge-one-run', whole);
  const continued = await r.client.workflow.start(purgeWorkflow, { workflowId: 'purge-fixture-continued', taskQueue: r.taskQueue, args: [{ batchesPerRun: 2 }] });
  const firstRunId = continued.firstExecutionRunId;
  await continued.result();
  await save('purge-continued-as-new-first-run', r.client.workflow.getHandle(continued.workflowId, firstRunId));
  await save('purge-continued-as-new-later-run', r.client.workflow.getHandle(continued.workflowId));
}

async function runRecovery(r: Recorder, recoveryId: string) {
  const handle = await r.client.workflow.start(recoveryWorkflow, { workflowId: workflowIds.recovery(recoveryId), taskQueue: r.taskQueue, args: [{ tenantId: TENANT, recoveryId }] });
  await handle.result();
  return handle;
}

/** Batches, a wait for the endpoint's pending deliveries, done; and (on the early server) a hand-over. */
async function recordRecovery(r: Recorder, rEarly: Recorder): Promise<void> {
  await save('recovery-batches-wait-done', await runRecovery(r, 'rcv_fixture_5'));
  const long = await runRecovery(rEarly, 'rcv_fixture_long_30');
  await save('recovery-continued-as-new-first-run', rEarly.client.workflow.getHandle(long.workflowId, long.firstExecutionRunId));
}

/** On a server that suggests continue-as-new after 40 events: the first run, and the run after it. */
async function recordContinueAsNew(r: Recorder): Promise<void> {
  const endpoint = await runEndpoint(r, 'ep_continued');
  const firstRunId = (await endpoint.describe()).runId;
  for (let i = 0; i < 8; i++) await outcome(endpoint, false);
  await stateIs(endpoint, { consecutiveFailures: 8, enabled: false });
  await waitFor(async () => (await endpoint.describe()).runId !== firstRunId, { what: 'a second run' });
  const first = r.client.workflow.getHandle(endpoint.workflowId, firstRunId);
  await save('endpoint-continued-as-new-first-run', first);
  await endpoint.signal(setEnabledSignal, { enabled: true });
  await stateIs(endpoint, { consecutiveFailures: 0, enabled: true });
  const latest = r.client.workflow.getHandle(endpoint.workflowId, (await endpoint.describe()).runId);
  await latest.cancel();
  await closed(latest);
  await save('endpoint-continued-as-new-later-run', latest);
}

const fifoItems = (endpointId: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `dlv_${endpointId}_${from + i}`);

/** A rate-limited delivery: the first call reserves a slot and returns the wait; the second sends. */
async function recordRateLimited(r: Recorder): Promise<void> {
  const input = deliveryInput('rate_limited');
  let calls = 0;
  r.deliver.set(input.deliveryId, async () => {
    calls += 1;
    if (calls === 1) return { attempt: 0, responseStatus: 0, waitMs: 1_500, rateSlot: { at: new Date(Date.now() + 1_500).toISOString(), epoch: 0, attemptsBefore: 0 } };
    return { attempt: 1, responseStatus: 200, endpointFailures: 0 };
  });
  await save('delivery-rate-limited', await runDelivery(r, input));
}

/** The first attempt as a local activity (`localFirst`), started eagerly: a first-try success, a retry after a failed first attempt, a final failure. */
async function recordLocalFirst(r: Recorder): Promise<void> {
  const start = async (input: DeliveryInput) => {
    const handle = await r.client.workflow.start(deliveryWorkflow, { workflowId: workflowIds.delivery(input.deliveryId), taskQueue: r.taskQueue, args: [input], requestEagerStart: true });
    await handle.result().catch(() => undefined);
    return handle;
  };
  await save('delivery-local-first-success', await start({ ...deliveryInput('local_first'), localFirst: true }));
  const retried = { ...deliveryInput('local_first_retried'), localFirst: true };
  let calls = 0;
  r.deliver.set(retried.deliveryId, async () => {
    calls += 1;
    if (calls === 1) throw ApplicationFailure.create({ type: 'AttemptFailed', message: 'attempt 1: HTTP 503', nextRetryDelay: 50 });
    return { attempt: 2, responseStatus: 200, endpointFailures: 1 };
  });
  await save('delivery-local-first-retried', await start(retried));
  const failed = { ...deliveryInput('local_first_failed'), localFirst: true };
  r.deliver.set(failed.deliveryId, async () => {
    throw final(FailureType.DeliveryFailed);
  });
  await save('delivery-local-first-failed', await start(failed));
}

/** A FIFO endpoint: woken, runs three deliveries one at a time, a re-enable wakes it, then it goes back to unordered. */
async function recordFifo(r: Recorder): Promise<void> {
  const endpointId = 'ep_fifo';
  r.fifoQueues.set(endpointId, { ordering: 'fifo', items: fifoItems(endpointId, 1, 3) });
  const endpoint = await runEndpoint(r, endpointId);
  await endpoint.signal(fifoWakeSignal, {});
  const last = r.client.workflow.getHandle(workflowIds.delivery(`dlv_${endpointId}_3`));
  await waitFor(() => last.result(), { what: 'the third FIFO delivery' });
  await endpoint.signal(setEnabledSignal, { enabled: false });
  await endpoint.signal(setEnabledSignal, { enabled: true });
  r.fifoQueues.set(endpointId, { ordering: 'unordered', items: fifoItems(endpointId, 4, 5) });
  await endpoint.signal(fifoWakeSignal, {});
  await waitFor(async () => (await endpoint.fetchHistory()).events?.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'releaseFifoQueue'), { what: 'the hand-over to unordered' });
  await waitFor(async () => ((await endpoint.describe()).raw.pendingActivities ?? []).length === 0, { what: 'the hand-over done' });
  await endpoint.cancel();
  await closed(endpoint);
  await save('endpoint-fifo', endpoint);
}

/** On the early-continue-as-new server: a FIFO queue of 8 spans runs; the queue goes on in the next run. */
async function recordFifoContinueAsNew(r: Recorder): Promise<void> {
  const endpointId = 'ep_fifo_continued';
  r.fifoQueues.set(endpointId, { ordering: 'fifo', items: fifoItems(endpointId, 1, 8) });
  const endpoint = await runEndpoint(r, endpointId);
  const firstRunId = (await endpoint.describe()).runId;
  await endpoint.signal(fifoWakeSignal, {});
  await waitFor(() => r.client.workflow.getHandle(workflowIds.delivery(`dlv_${endpointId}_8`)).result(), { what: 'the eighth FIFO delivery', timeoutMs: 30_000 });
  await waitFor(async () => (await endpoint.describe()).runId !== firstRunId, { what: 'a second run' });
  await save('endpoint-fifo-continued-as-new-first-run', r.client.workflow.getHandle(endpoint.workflowId, firstRunId));
  const latest = r.client.workflow.getHandle(endpoint.workflowId, (await endpoint.describe()).runId);
  await latest.cancel();
  await closed(latest);
  await save('endpoint-fifo-continued-as-new-later-run', latest);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  mkdirSync(OUT, { recursive: true });
  const binary = await findOrBuildTemporalCli();
  const servers: DevServer[] = [];
  const recorders: Recorder[] = [];
  try {
    const [bundle, primary, early] = await Promise.all([
      bundleWorkflowCode({ ...bundleOptions('plain'), logger: new DefaultLogger('ERROR') }),
      startDevServer({ binary, port: await freePort(), logLevel: 'error' }).then((s) => (servers.push(s), s)),
      startDevServer({ binary, port: await freePort(), logLevel: 'error', dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } }).then((s) => (servers.push(s), s)),
    ]);
    const r = await startRecorder(primary.address, bundle);
    recorders.push(r);
    const rEarly = await startRecorder(early.address, bundle);
    recorders.push(rEarly);
    console.log(`recording into ${path.relative(process.cwd(), OUT)}/`);
    await recordDeliveries(r);
    await recordLocalFirst(r);
    await recordEndpointLifecycle(r);
    await recordCircuit(r);
    await recordFanOut(r);
    await recordPurge(r);
    await recordContinueAsNew(rEarly);
    await recordRecovery(r, rEarly);
    await recordRateLimited(r);
    await recordFifo(r);
    await recordFifoContinueAsNew(rEarly);
  } finally {
    for (const rec of recorders) await rec.stop();
    for (const s of servers) await s.stop();
  }
  console.log(`${readdirSync(OUT).filter((f) => f.endsWith('.json')).length} histories in ${OUT}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
