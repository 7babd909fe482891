import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { endpointWorkflow } from './workflows/endpoint';
import { ENDPOINT_ID, TENANT_ID } from './workflows/search-attributes';
import { workflowIds } from './workflows/types';
import type { SignalDefinition } from '@temporalio/workflow';

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
    typedSearchAttributes: [
      { key: TENANT_ID, value: ids.tenantId },
      { key: ENDPOINT_ID, value: ids.endpointId },
    ],
  });
}

export async function startEndpointWorkflow(client: Client, taskQueue: string, ids: { tenantId: string; endpointId: string }): Promise<void> {
  await client.workflow.start(endpointWorkflow, {
    workflowId: workflowIds.endpoint(ids.endpointId),
    taskQueue,
    args: [ids],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: TENANT_ID, value: ids.tenantId },
      { key: ENDPOINT_ID, value: ids.endpointId },
    ],
  });
}

/** Ends an endpoint's workflow and cancels its running deliveries (used when the endpoint is deleted). */
export async function stopEndpointWorkflows(client: Client, endpointId: string, pendingDeliveryIds: string[]): Promise<void> {
  const ids = [workflowIds.endpoint(endpointId), ...pendingDeliveryIds.map(workflowIds.delivery)];
  await Promise.all(
    ids.map(async (id) => {
      try {
        await client.workflow.getHandle(id).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }),
  );
}
