import { ENDPOINT_ID, EVENT_TYPE, TENANT_ID } from '../../temporal/workflows/search-attributes';
import { workflowIds } from '../../temporal/workflows/types';
import { historyText } from '../harness/history-text';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

const env = useStackAndReceiver({ HOOKLINE_RETRY_SCHEDULE: '1500ms' });

test('a delivery whose worker stops mid-retry completes when a worker comes back', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  env.receiver.script(503, 200);
  await env.stack.admin.publish({ tenantId: tenant.id, type: 'contact.saved', data: {} });
  await env.receiver.waitForRequests(1);
  const [pending] = (await tenant.api.listDeliveries(endpoint.id)).data;
  await env.stack.stopWorker();

  // The retry falls due while no worker runs: nothing is sent, nothing is lost.
  const due = new Date(pending!.nextRetryAt ?? Date.now()).getTime();
  await waitFor(() => Date.now() > due + 500, { what: 'the retry to fall due' });
  expect(env.receiver.requests).toHaveLength(1);
  expect((await tenant.api.getDelivery(pending!.id)).status).toBe('pending');

  await env.stack.startWorker();
  const done = await waitFor(async () => {
    const d = await tenant.api.getDelivery(pending!.id);
    return d.status === 'success' && d;
  }, { what: 'the delivery to complete after the restart' });
  expect(done.attempts.map((a) => a.responseStatus)).toEqual([503, 200]);
  expect(env.receiver.requests).toHaveLength(2);
});

test('Temporal history holds ids only: no secret, no API key, no event body; search attributes find the delivery', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
  const { secret: rotated } = await tenant.api.rotateSecret(endpoint.id);
  const marker = `body-marker-${Date.now()}`;
  env.receiver.script(500, 200);
  const { id } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'signer.created', data: { marker } });
  const delivery = await waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
    return d?.status === 'success' && d;
  }, { what: 'the delivery' });
  const { deliveryId: testId } = await tenant.api.testWebhook(endpoint.id);
  await waitFor(async () => (await tenant.api.getDelivery(testId)).status !== 'pending', { what: 'the test delivery' });

  const texts = await Promise.all(
    [workflowIds.delivery(delivery.id), workflowIds.delivery(testId), workflowIds.endpoint(endpoint.id)].map((w) => historyText(env.stack.client, w)),
  );
  const all = texts.join('\n');
  expect(all).toContain(delivery.id); // the search itself works
  for (const secret of [endpoint.secret, rotated]) {
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.slice('whsec_'.length));
  }
  expect(all).not.toContain(tenant.apiKey);
  expect(all).not.toContain(marker);

  const description = await env.stack.client.workflow.getHandle(workflowIds.delivery(delivery.id)).describe();
  expect(description.typedSearchAttributes.get(TENANT_ID)).toBe(tenant.id);
  expect(description.typedSearchAttributes.get(ENDPOINT_ID)).toBe(endpoint.id);
  expect(description.typedSearchAttributes.get(EVENT_TYPE)).toBe('signer.created');
  const found = await waitFor(async () => {
    const ids: string[] = [];
    for await (const w of env.stack.client.workflow.list({ query: `HooklineTenantId = "${tenant.id}" AND HooklineEventType = "signer.created"` })) ids.push(w.workflowId);
    return ids.length > 0 && ids;
  }, { what: 'visibility to list the delivery' });
  expect(found).toEqual([workflowIds.delivery(delivery.id)]);
  expect(id).toBeTruthy();
});

describe('a send slower than the heartbeat timeout', () => {
  let slow: Stack;
  beforeAll(async () => {
    slow = await startStack({ HOOKLINE_REQUEST_TIMEOUT_MS: '15000' });
  });
  afterAll(() => slow?.stop());

  test('is not cut off: the activity heartbeats while the receiver takes 12 s', async () => {
    const tenant = await slow.newTenant();
    const endpoint = await tenant.api.createWebhook({ url: env.receiver.url });
    const before = env.receiver.requests.length;
    env.receiver.script({ status: 200, delayMs: 12_000 });
    await slow.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const done = await waitFor(async () => {
      const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
      return d && d.status !== 'pending' && tenant.api.getDelivery(d.id);
    }, { what: 'the slow delivery', timeoutMs: 40_000 });
    expect(done.status).toBe('success');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]!.durationMs).toBeGreaterThanOrEqual(12_000);
    expect(env.receiver.requests.length - before).toBe(1);
  });
});
