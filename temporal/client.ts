import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Priority, Workflow } from '@temporalio/common';
import { PRIORITY_LANES, fairnessKeyOf, type PriorityLane } from '../domain/fairness';
import { forEachLimited } from '../infra/concurrency';
import type { SignalDefinition } from '@temporalio/workflow';
import { deliveryWorkflow } from './workflows/delivery';
import { endpointWorkflow } from './workflows/endpoint';
import { recoveryWorkflow } from './workflows/recovery';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from './workflows/search-attributes';
import { workflowIds, type DeliveryInput, type EndpointInput, type RecoveryInput } from './workflows/types';

/** Every start, signal and cancel Hookline sends Temporal, in one place (the samples' `client.ts`). */

/**
 * The tenant's share of the task queue (domain/fairness.ts): its fairness key, its weight when its
 * settings give one, and the lane. Activities inherit it from their workflow.
 */
export function priorityOf(tenantId: string, lane: PriorityLane, weight?: number | null): Priority {
  return { priorityKey: PRIORITY_LANES[lane], fairnessKey: fairnessKeyOf(tenantId), ...(weight ? { fairnessWeight: weight } : {}) };
}

/** Starts a workflow whose id is deterministic: starting it again, running or done, is a no-op. */
export async function startOnce<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>): Promise<void> {
  try {
    await client.workflow.start(workflow, { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE', ...options });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // else it ran already
  }
}

/**
 * Starts a delivery's workflow. `eager` (the relay, whose client shares its NativeConnection with a
 * worker of the task queue): the server hands the first workflow task back in the start's answer,
 * to this process's worker, with no trip through matching; with the first attempt as a local
 * activity in that task, a first-try delivery is one start and one task completion. The SDK asks
 * only when that worker has a free workflow-task slot; otherwise the start is an ordinary one.
 */
export function startDeliveryWorkflow(client: Client, taskQueue: string, input: DeliveryInput, opts: { eager?: boolean; weight?: number | null } = {}): Promise<void> {
  return startOnce(client, deliveryWorkflow, {
    workflowId: workflowIds.delivery(input.deliveryId),
    taskQueue,
    ...(opts.eager ? { requestEagerStart: true } : {}),
    // A first attempt sent from a local activity runs inside the workflow task: a task that outlives
    // its timeout is handed out again and sends again. Sends take up to the request timeout, and
    // under CPU contention tasks of 8 s were seen, so the default 10 s is too tight; a dead worker's
    // send is then repeated after 30 s instead of 10.
    ...(input.localFirst ? { workflowTaskTimeout: '30s' } : {}),
    args: [input],
    priority: priorityOf(input.tenantId, input.kind === 'redelivery' ? 'background' : 'live', opts.weight),
    typedSearchAttributes: [
      { key: TENANT_ID, value: input.tenantId },
      { key: ENDPOINT_ID, value: input.endpointId },
      { key: EVENT_TYPE, value: input.eventType },
    ],
  });
}

const endpointAttributes = (ids: EndpointInput) => [
  { key: TENANT_ID, value: ids.tenantId },
  { key: ENDPOINT_ID, value: ids.endpointId },
];

export function startEndpointWorkflow(client: Client, taskQueue: string, ids: EndpointInput): Promise<void> {
  return startOnce(client, endpointWorkflow, {
    workflowId: workflowIds.endpoint(ids.endpointId),
    taskQueue,
    args: [ids],
    priority: priorityOf(ids.tenantId, 'control'),
    typedSearchAttributes: endpointAttributes(ids),
  });
}

/** Signals an endpoint's workflow, starting it first if it is not running. */
export async function signalEndpointWorkflow<T>(
  client: Client,
  taskQueue: string,
  ids: { tenantId: string; endpointId: string },
  signal: SignalDefinition<[T]>,
  arg: T,
): Promise<void> {
  await client.workflow.signalWithStart(endpointWorkflow, {
    workflowId: workflowIds.endpoint(ids.endpointId),
    taskQueue,
    args: [ids],
    signal,
    signalArgs: [arg] as [T],
    priority: priorityOf(ids.tenantId, 'control'),
    typedSearchAttributes: endpointAttributes(ids),
  });
}

const CANCELS_IN_FLIGHT = 16;

/** Ends an endpoint's workflow and cancels its running deliveries (the endpoint was deleted). */
export async function stopEndpointWorkflows(client: Client, endpointId: string, pendingDeliveryIds: string[]): Promise<void> {
  const ids = [workflowIds.endpoint(endpointId), ...pendingDeliveryIds.map(workflowIds.delivery)];
  await forEachLimited(ids.length, CANCELS_IN_FLIGHT, async (i) => {
    try {
      await client.workflow.getHandle(ids[i]!).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  });
}

/** Starts a recovery's workflow; its id is the recovery's, so a repeated start (or a finished recovery) is a no-op. */
/**
 * A recovery's id is its request's: the same request after the purge removed the finished row makes
 * that row again, and its workflow must run again (a closed run of that id may still be in Temporal).
 * A second run of a recovery that is not running ends at once (recoverBatch finds it done).
 */
export function startRecoveryWorkflow(client: Client, taskQueue: string, input: RecoveryInput, endpointId: string, weight?: number | null): Promise<void> {
  return startOnce(client, recoveryWorkflow, {
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowId: workflowIds.recovery(input.recoveryId),
    taskQueue,
    args: [input],
    priority: priorityOf(input.tenantId, 'background', weight),
    typedSearchAttributes: [
      { key: TENANT_ID, value: input.tenantId },
      { key: ENDPOINT_ID, value: endpointId },
    ],
  });
}
