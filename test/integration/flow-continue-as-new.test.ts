import { workflowIds } from '../../temporal/workflows/types';
import { freePort } from '../../tools/testkit/free-port';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';

// A server of its own that suggests continue-as-new after 40 history events, so the endpoint
// workflow hands over several times in the middle of a FIFO queue and of a rate-limited stream.
let server: DevServer;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  server = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error', dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  stack = await startStack({ TEMPORAL_ADDRESS: server.address, HOOKLINE_DISABLE_AFTER_FAILURES: '1000', HOOKLINE_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms' });
  receiver = await startReceiver(200);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await server?.stop();
});

async function runsOf(workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const w of stack.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(w.runId);
  return runs;
}

test('a FIFO queue continues as new between deliveries and loses nothing: 40 events in order across several runs', async () => {
  const tenant = await stack.newTenant();
  const fifo = await startReceiver(200);
  try {
    const endpoint = await tenant.api.createWebhook({ url: fifo.url, ordering: 'fifo' });
    const published: string[] = [];
    for (let i = 0; i < 40; i++) published.push((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);
    const got = await fifo.waitForRequests(40, 90_000);
    expect(got.map((r) => (JSON.parse(r.body) as { id: string }).id)).toEqual(published);
    expect((await runsOf(workflowIds.endpoint(endpoint.id))).length).toBeGreaterThan(2);
  } finally {
    await fifo.close();
  }
});

test('a rate-limited endpoint whose workflow continues as new (each final failure is an outcome it counts) loses no delivery', async () => {
  const tenant = await stack.newTenant();
  const limited = await startReceiver(400); // final at once: every delivery reports an outcome to the endpoint workflow
  try {
    const endpoint = await tenant.api.createWebhook({ url: limited.url, rateLimit: 10 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })));
    const got = await limited.waitForRequests(40, 60_000);
    expect(new Set(got.map((r) => (JSON.parse(r.body) as { id: string }).id)).size).toBe(40);
    expect(39 / ((got[39]!.at - got[0]!.at) / 1000)).toBeLessThan(11);
    await waitFor(async () => (await tenant.api.getWebhook(endpoint.id)).consecutiveFailures === 40, { what: '40 failures counted', timeoutMs: 30_000 });
    expect((await runsOf(workflowIds.endpoint(endpoint.id))).length).toBeGreaterThan(1);
  } finally {
    await limited.close();
  }
});
