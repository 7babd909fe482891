import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { deliveryWorkflow } from './workflows/delivery';
import { forEachLimited } from '../infra/concurrency';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from './workflows/search-attributes';
import { workflowIds, type DeliveryInput } from './workflows/types';

/** Starts a workflow whose id is deterministic: starting it again, running or done, is a no-op. */
export async function startOnce<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>): Promise<void> {
  try {
    await client.workflow.start(workflow, { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE', ...options });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // else it ran already
  }
}

/** Starts a delivery's workflow. */
export function startDeliveryWorkflow(client: Client, taskQueue: string, input: DeliveryInput): Promise<void> {
  return startOnce(client, deliveryWorkflow, {
    workflowId: workflowIds.delivery(input.deliveryId),
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: TENANT_ID, value: input.tenantId },
      { key: ENDPOINT_ID, value: input.endpointId },
      { key: EVENT_TYPE, value: input.eventType },
    ],
  });
}

export function startDeliveryWorkflows(client: Client, taskQueue: string, inputs: DeliveryInput[], concurrency = 32): Promise<void> {
  return forEachLimited(inputs.length, concurrency, (i) => startDeliveryWorkflow(client, taskQueue, inputs[i]!));
}
