import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { workflowIds } from '../../temporal/workflows/types';

// Temporal's "Stack Trace" query (the Web UI's Stack Trace tab) needs every workflow promise's stack
// recorded as it is made, a cost on every promise: workers record them only with
// HOOKLINE_WORKFLOW_STACK_TRACES=true (temporal/workflow-threads.ts).
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver(200);
});
afterAll(() => receiver?.close());

async function endpointStackTrace(stack: Stack): Promise<string> {
  const tenant = await stack.newTenant('stacks');
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(async () => (await tenant.api.listDeliveries(endpoint.id)).data[0]?.status === 'success', { what: 'the delivery' });
  return stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).query<string>('__stack_trace');
}

test.each([
  ['off by default: the query says so, and deliveries go on', {}, false],
  ['on when asked: a running endpoint workflow shows where it waits', { HOOKLINE_WORKFLOW_STACK_TRACES: 'true' }, true],
])('workflow stack traces are %s', async (_, env, on) => {
  const stack = await startStack(env);
  try {
    const asked = endpointStackTrace(stack);
    if (on) expect(await asked).toMatch(/endpoint/i);
    else await expect(asked).rejects.toThrow('Workflow stack traces are not enabled on this worker');
  } finally {
    await stack.stop();
  }
}, 120_000);
