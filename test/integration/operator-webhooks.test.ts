import { Webhook } from 'standardwebhooks';
import { HooklineApiError, HooklineClient } from '../../api/client';
import { generateWebhookSecret } from '../../domain/secrets';
import { OPERATOR_ENDPOINT_ID, OPERATOR_TENANT_ID } from '../../domain/operator';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// The operator's receiver gets signed endpoint.disabled, endpoint.enabled, delivery.exhausted and
// recovery.completed events, delivered (and retried, and logged) like any tenant's.
const SECRET = generateWebhookSecret();
let stack: Stack;
let operator: Receiver;
let failing: Receiver;

beforeAll(async () => {
  operator = await startReceiver();
  failing = await startReceiver(500);
  stack = await startStack({
    HOOKLINE_OPERATOR_WEBHOOK_URL: operator.url,
    HOOKLINE_OPERATOR_WEBHOOK_SECRET: SECRET,
    HOOKLINE_RETRY_SCHEDULE: '50ms',
    HOOKLINE_DISABLE_AFTER_FAILURES: '2',
  });
});
afterAll(async () => {
  await operator?.close();
  await failing?.close();
  await stack?.stop();
});

interface OperatorEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** The verified events the operator received about this tenant (each verified with the standardwebhooks package). */
function eventsAbout(tenantId: string): OperatorEvent[] {
  const wh = new Webhook(SECRET);
  const verified = operator.requests.map((r) => wh.verify(r.body, r.headers as Record<string, string>) as OperatorEvent);
  const unique = new Map(verified.filter((e) => e.data.tenantId === tenantId).map((e) => [e.id, e]));
  return [...unique.values()];
}

const waitForEvent = (tenantId: string, type: string, n = 1) =>
  waitFor(() => {
    const found = eventsAbout(tenantId).filter((e) => e.type === type);
    return found.length >= n && found;
  }, { what: `${n} ${type} about ${tenantId} (got ${eventsAbout(tenantId).map((e) => e.type).join(', ')})` });

test('exhausted deliveries, a disable, a re-enable and a recovery each reach the operator, signed; the operator reads its own log', async () => {
  operator.script(503); // the first operator request fails: it is retried like any delivery
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: failing.url, events: ['card.viewed'] });
  const published = [];
  for (let i = 0; i < 2; i++) published.push((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })).id);

  const exhausted = await waitForEvent(tenant.id, 'delivery.exhausted', 2);
  expect(new Set(exhausted.map((e) => e.data.eventId))).toEqual(new Set(published));
  expect(exhausted[0]!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, url: failing.url, attempts: 2, lastResponseStatus: 500, eventType: 'card.viewed' });
  const [disabled] = await waitForEvent(tenant.id, 'endpoint.disabled');
  expect(disabled!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, url: failing.url, reason: 'consecutive_failures', consecutiveFailures: 2 });

  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { skipped: true } });
  failing.fallback = 200;
  const { recoveryId } = await tenant.api.updateWebhook(endpoint.id, { enabled: true, recoverSkipped: true });
  const [enabled] = await waitForEvent(tenant.id, 'endpoint.enabled');
  expect(enabled!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, disabledReason: 'consecutive_failures' });
  const [completed] = await waitForEvent(tenant.id, 'recovery.completed');
  expect(completed!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, recoveryId, matched: 1, queued: 1, statuses: ['skipped'] });

  // The operator tenant's own log, through the normal API with a key the admin makes for it.
  const { apiKey } = await stack.admin.createApiKey(OPERATOR_TENANT_ID);
  const log = await waitFor(async () => {
    const page = await stack.admin.withToken(apiKey).listDeliveries(OPERATOR_ENDPOINT_ID, { limit: 100 });
    return page.data.filter((d) => d.status === 'success').length >= 5 && page.data;
  }, { what: 'the operator log' });
  expect(new Set(log.map((d) => d.eventType))).toEqual(new Set(['delivery.exhausted', 'endpoint.disabled', 'endpoint.enabled', 'recovery.completed']));
  const retried = await waitFor(async () => {
    for (const d of log) {
      const full = await stack.admin.withToken(apiKey).getDelivery(d.id);
      if (full.attempts.length > 1) return full;
    }
    return undefined;
  }, { what: 'an operator delivery retried after the 503' });
  expect(retried.attempts.map((a) => a.responseStatus)).toEqual([503, 200]);
});

test("an endpoint's circuit opening and closing reach the operator (the tenant's own circuit settings)", async () => {
  const tenant = await stack.newTenant('circuit');
  await stack.admin.updateTenantSettings(tenant.id, { circuitFailures: 3, circuitCoolDown: '5s', retrySchedule: '1s,1s,1s,1s,1s' });
  const flaky = await startReceiver(500);
  try {
    const endpoint = await tenant.api.createWebhook({ url: flaky.url });
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { circuit: true } });
    const [opened] = await waitForEvent(tenant.id, 'endpoint.circuit_opened');
    expect(opened!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, url: flaky.url, circuit: { state: 'open', openedAt: expect.any(String), nextProbeAt: expect.any(String) } });
    flaky.fallback = 200;
    const [closed] = await waitForEvent(tenant.id, 'endpoint.circuit_closed');
    expect(closed!.data).toMatchObject({ tenantId: tenant.id, endpointId: endpoint.id, circuit: { state: 'closed', openedAt: null, nextProbeAt: null } });
    expect((await tenant.api.getWebhook(endpoint.id)).circuit.state).toBe('closed');
  } finally {
    await flaky.close();
  }
}, 60_000);

test('the operator tenant cannot be created, deleted or published to through the API, and nothing is reported about the operator’s own endpoint', async () => {
  const calls = [
    stack.admin.createTenant({ id: OPERATOR_TENANT_ID }),
    stack.admin.deleteTenant(OPERATOR_TENANT_ID),
    stack.admin.publish({ tenantId: OPERATOR_TENANT_ID, type: 'card.viewed', data: {} }),
  ];
  for (const call of calls) {
    const err = await call.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineApiError);
    expect((err as HooklineApiError).status).toBe(400);
  }
  // Its settings, retention and portal come from configuration; an API key may read its log, not add endpoints.
  for (const call of [
    stack.admin.updateTenantSettings(OPERATOR_TENANT_ID, { disableAfterFailures: 1 }),
    stack.admin.setTenantRetention(OPERATOR_TENANT_ID, 1),
    stack.admin.createPortalSession(OPERATOR_TENANT_ID),
  ]) {
    await expect(call).rejects.toMatchObject({ status: 400 });
  }
  const { apiKey } = await stack.admin.createApiKey(OPERATOR_TENANT_ID);
  const operatorApi = new HooklineClient({ baseUrl: stack.api.url, token: apiKey });
  expect((await operatorApi.listWebhooks()).data.map((e) => e.id)).toEqual([OPERATOR_ENDPOINT_ID]);
  await expect(operatorApi.createWebhook({ url: 'http://127.0.0.1:9/op', events: ['*'] })).rejects.toMatchObject({ status: 400 });
  await expect(operatorApi.updateWebhook(OPERATOR_ENDPOINT_ID, { url: 'http://127.0.0.1:9/op' })).rejects.toMatchObject({ status: 400 });

  // An operator delivery that fails finally is logged (failed) but reported to nobody: no loop.
  const tenant = await stack.newTenant();
  const deadEnd = await startReceiver(500);
  try {
    await tenant.api.createWebhook({ url: deadEnd.url, events: ['card.viewed'] });
    operator.script(500, 500);
    const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const failed = await waitFor(async () => {
      const [row] = await stack.sql<{ status: string; data: { eventId: string } }[]>`
        select d.status, ev.data from deliveries d join events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
        where d.tenant_id = ${OPERATOR_TENANT_ID} and ev.data->>'eventId' = ${id}`;
      return row?.status === 'failed' && row;
    }, { what: 'the operator delivery about it to fail' });
    expect(failed.data.eventId).toBe(id);
    // A report about it would be written in the transaction that recorded the failure: it would be here now.
    const [about] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from events where tenant_id = ${OPERATOR_TENANT_ID} and data->>'tenantId' = ${OPERATOR_TENANT_ID}`;
    expect(about!.n).toBe(0);
    expect(eventsAbout(OPERATOR_TENANT_ID)).toEqual([]);
  } finally {
    await deadEnd.close();
  }
});
