import { endpointStateQuery } from '../../temporal/workflows/messages';
import { workflowIds } from '../../temporal/workflows/types';
import { freePort } from '../../tools/testkit/free-port';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';

// A server of its own that suggests continue-as-new after 40 history events instead of 4 Ki, so the
// endpoint workflow's hand-over of its state and queued signals is exercised in seconds.
let server: DevServer;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  server = await startDevServer({
    binary: await findOrBuildTemporalCli(),
    port: await freePort(),
    logLevel: 'error',
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 },
  });
  stack = await startStack({ TEMPORAL_ADDRESS: server.address, HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });
  receiver = await startReceiver(400); // final at the first attempt: each event is one counted failure
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await server?.stop();
});

test('the endpoint workflow continues as new when Temporal suggests it, keeping its count and every queued outcome', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  const handle = stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id));
  // The relay starts it from the outbox row written with the endpoint.
  const firstRunId = (await waitFor(() => handle.describe(), { what: 'the endpoint workflow to start' })).runId;

  const events = 30;
  await Promise.all(Array.from({ length: events }, () => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} })));
  const state = await waitFor(async () => {
    const s = await handle.query(endpointStateQuery);
    const shown = await tenant.api.getWebhook(endpoint.id);
    return s.consecutiveFailures === events && shown.consecutiveFailures === events && s;
  }, { what: `${events} failures counted`, timeoutMs: 60_000 });
  expect(state).toMatchObject({ enabled: true, consecutiveFailures: events });

  // The hand-over follows the last outcome's workflow task, which may complete a moment later.
  const now = await waitFor(async () => {
    const d = await handle.describe();
    return d.runId !== firstRunId && d;
  }, { what: 'a new run of the endpoint workflow' });
  expect(now.status.name).toBe('RUNNING');
  const firstRun = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id), firstRunId).describe();
  expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');

  // The state survives hand-overs: one success resets the count in the newest run.
  receiver.fallback = 200;
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(async () => (await tenant.api.getWebhook(endpoint.id)).consecutiveFailures === 0, { what: 'the reset' });
  expect((await handle.query(endpointStateQuery)).consecutiveFailures).toBe(0);
});
