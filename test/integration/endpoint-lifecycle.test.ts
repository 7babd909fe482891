import { WorkflowNotFoundError } from '@temporalio/client';
import { endpointStateQuery } from '../../temporal/workflows/messages';
import { workflowIds } from '../../temporal/workflows/types';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

let stack: Stack;
const receivers: Receiver[] = [];

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '3' });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await stack?.stop();
});

async function receiver(fallback: number = 200) {
  const r = await startReceiver(fallback);
  receivers.push(r);
  return r;
}

/** Publishes one event and waits until its delivery to `endpointId` is final and counted. */
async function publishAndSettle(tenant: { id: string; api: Stack['admin'] }, endpointId: string, expectedFailures: number) {
  const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(async () => {
    const page = await tenant.api.listDeliveries(endpointId, { limit: 100 });
    return page.data.some((d) => d.eventId === id && d.status !== 'pending');
  }, { what: `delivery of ${id}` });
  return waitFor(async () => {
    const state = await stack.client.workflow.getHandle(workflowIds.endpoint(endpointId)).query(endpointStateQuery);
    const shown = await tenant.api.getWebhook(endpointId);
    return state.consecutiveFailures === expectedFailures && shown.consecutiveFailures === expectedFailures && state;
  }, { what: `failure count ${expectedFailures}` });
}

test('consecutive failures disable the endpoint; a success in between resets the count', async () => {
  const failing = await receiver(500);
  const watcher = await receiver(200);
  const everything = await receiver(200);
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: failing.url, events: ['card.viewed'] });
  await tenant.api.createWebhook({ url: watcher.url, events: ['card.viewed', 'webhook.disabled'] });
  await tenant.api.createWebhook({ url: everything.url, events: ['*'] });

  await publishAndSettle(tenant, endpoint.id, 1);
  await publishAndSettle(tenant, endpoint.id, 2);
  expect((await tenant.api.getWebhook(endpoint.id)).consecutiveFailures).toBe(2);
  failing.script(200);
  await publishAndSettle(tenant, endpoint.id, 0);
  expect((await tenant.api.getWebhook(endpoint.id)).consecutiveFailures).toBe(0);

  await publishAndSettle(tenant, endpoint.id, 1);
  await publishAndSettle(tenant, endpoint.id, 2);
  await publishAndSettle(tenant, endpoint.id, 3);
  const disabled = await waitFor(async () => {
    const e = await tenant.api.getWebhook(endpoint.id);
    return !e.enabled && e;
  }, { what: 'the endpoint to be disabled' });
  expect(disabled).toMatchObject({ enabled: false, disabledReason: 'consecutive_failures', consecutiveFailures: 3 });
  expect(disabled.disabledAt).not.toBeNull();

  // The endpoint that names webhook.disabled hears of it; the "*" subscriber does not.
  const notice = await waitFor(() => watcher.requests.find((r) => JSON.parse(r.body).type === 'webhook.disabled'), { what: 'webhook.disabled' });
  expect(JSON.parse(notice.body).data).toMatchObject({ endpointId: endpoint.id, reason: 'consecutive_failures' });

  // A disabled endpoint gets nothing new: the next event reaches the others only, and is logged
  // for it as `skipped` (recoverable once it is enabled again).
  const before = failing.requests.length;
  const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(() => watcher.requests.some((r) => JSON.parse(r.body).id === id), { what: 'the event at the watcher' });
  await waitFor(() => everything.requests.some((r) => JSON.parse(r.body).id === id), { what: 'the event at the * endpoint' });
  expect(everything.requests.some((r) => JSON.parse(r.body).type === 'webhook.disabled')).toBe(false);
  expect(failing.requests).toHaveLength(before);
  const logged = (await tenant.api.listDeliveries(endpoint.id, { limit: 100 })).data.filter((d) => d.eventId === id);
  expect(logged.map((d) => [d.status, d.attemptCount])).toEqual([['skipped', 0]]);

  // Test events still work while disabled, and do not move the count.
  failing.script(200);
  const { deliveryId } = await tenant.api.testWebhook(endpoint.id);
  const test = await waitFor(async () => {
    const d = await tenant.api.getDelivery(deliveryId);
    return d.status === 'success' && d;
  }, { what: 'the test delivery' });
  expect(test).toMatchObject({ kind: 'test', eventType: 'webhook.test' });
  expect(JSON.parse(failing.requests.at(-1)!.body).type).toBe('webhook.test');
  const state = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).query(endpointStateQuery);
  expect(state).toMatchObject({ consecutiveFailures: 3, enabled: false });

  // Re-enabling resets the count, in the API and in the workflow.
  const enabled = await tenant.api.updateWebhook(endpoint.id, { enabled: true });
  expect(enabled).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
  await waitFor(async () => {
    const s = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).query(endpointStateQuery);
    return s.enabled && s.consecutiveFailures === 0;
  }, { what: 'the workflow to be re-enabled' });
});

test('a 410 Gone disables the endpoint at once', async () => {
  const gone = await receiver(410);
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: gone.url });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const disabled = await waitFor(async () => {
    const e = await tenant.api.getWebhook(endpoint.id);
    return !e.enabled && e;
  }, { what: 'the endpoint to be disabled' });
  expect(disabled.disabledReason).toBe('gone');
  expect(gone.requests).toHaveLength(1);
});

test('a test to a failing endpoint is logged but does not count', async () => {
  const failing = await receiver(500);
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: failing.url });
  const { deliveryId } = await tenant.api.testWebhook(endpoint.id);
  const d = await waitFor(async () => {
    const x = await tenant.api.getDelivery(deliveryId);
    return x.status === 'failed' && x;
  }, { what: 'the test to fail' });
  expect(d.attempts).toHaveLength(2);
  expect((await tenant.api.getWebhook(endpoint.id)).consecutiveFailures).toBe(0);
  const state = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).query(endpointStateQuery);
  expect(state.consecutiveFailures).toBe(0);
});

test('deleting an endpoint removes its log, cancels its deliveries and ends its workflow', async () => {
  const slow = await receiver(503);
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: slow.url });
  // A long retry delay keeps the delivery running when the endpoint is deleted.
  slow.fallback = { status: 503, headers: { 'retry-after': '600' } } as never;
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await slow.waitForRequests(1);
  const [pending] = (await tenant.api.listDeliveries(endpoint.id)).data;
  expect(pending!.status).toBe('pending');

  await tenant.api.deleteWebhook(endpoint.id);
  await expect(tenant.api.getWebhook(endpoint.id)).rejects.toMatchObject({ status: 404 });
  await expect(tenant.api.getDelivery(pending!.id)).rejects.toMatchObject({ status: 404 });
  const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from attempts where delivery_id = ${pending!.id}`;
  expect(row!.n).toBe(0);
  const delivery = await waitFor(async () => {
    const d = await stack.client.workflow.getHandle(workflowIds.delivery(pending!.id)).describe();
    return d.status.name !== 'RUNNING' && d;
  }, { what: 'the delivery workflow to end' });
  expect(delivery.status.name).toBe('CANCELLED');
  const ep = await waitFor(async () => {
    const d = await stack.client.workflow.getHandle(workflowIds.endpoint(endpoint.id)).describe();
    return d.status.name !== 'RUNNING' && d;
  }, { what: 'the endpoint workflow to end' });
  expect(['COMPLETED', 'CANCELLED']).toContain(ep.status.name);
  await expect(stack.client.workflow.getHandle('no-such').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});
