import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { deliveryWorkflow } from '../workflows/delivery';
import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from '../workflows/search-attributes';
import { workflowIds, type DeliveryInput } from '../workflows/types';

/** Starts a delivery's workflow. Its id is deterministic, so a repeated start is a no-op. */
export async function startDeliveryWorkflow(client: Client, taskQueue: string, input: DeliveryInput): Promise<void> {
  try {
    await client.workflow.start(deliveryWorkflow, {
      workflowId: workflowIds.delivery(input.deliveryId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: TENANT_ID, value: input.tenantId },
        { key: ENDPOINT_ID, value: input.endpointId },
        { key: EVENT_TYPE, value: input.eventType },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return; // it ran already
    throw err;
  }
}

export async function startDeliveryWorkflows(client: Client, taskQueue: string, inputs: DeliveryInput[], concurrency = 32): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, inputs.length) }, async () => {
    while (next < inputs.length) await startDeliveryWorkflow(client, taskQueue, inputs[next++]!);
  });
  await Promise.all(lanes);
}
