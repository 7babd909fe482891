import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// An endpoint's circuit breaker on the real stack: three failures in a row open it, its deliveries
// wait without attempts while it is open, one probe goes after the cool-down, and its success closes
// it. (The operator's endpoint is one per deployment: operator-webhooks.test.ts checks the
// endpoint.circuit_opened/_closed events it gets.)
const COOL_DOWN_MS = 3_000;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver(500);
  stack = await startStack({
    HOOKLINE_CIRCUIT_FAILURES: '3',
    HOOKLINE_CIRCUIT_WINDOW: '60s',
    HOOKLINE_CIRCUIT_COOL_DOWN: `${COOL_DOWN_MS}ms`,
    HOOKLINE_RETRY_SCHEDULE: Array(20).fill('300ms').join(','),
    HOOKLINE_DISABLE_AFTER_FAILURES: '1000',
  });
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

test('three failures open the circuit; nothing is sent or counted while it is open; one probe after the cool-down closes it, and every delivery then succeeds', async () => {
  const tenant = await stack.newTenant('circuit');
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  for (let i = 0; i < 5; i++) await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });

  const opened = await waitFor(async () => {
    const e = await tenant.api.getWebhook(endpoint.id);
    return e.circuit.state === 'open' && e;
  }, { what: 'the circuit open' });
  const observedAt = Date.now();
  expect(opened.circuit).toMatchObject({ openedAt: expect.any(String), nextProbeAt: expect.any(String) });
  const probeAt = Date.parse(opened.circuit.nextProbeAt!);

  // Sends already past the circuit when it opened may still land within the first second; after
  // that, nothing until the probe is due.
  await new Promise((r) => setTimeout(r, Math.max(0, probeAt - 200 - Date.now())));
  expect(receiver.requests.filter((r) => r.at > observedAt + 1_000 && r.at < probeAt - 200)).toEqual([]);

  receiver.fallback = 200;
  await waitFor(async () => (await tenant.api.getWebhook(endpoint.id)).circuit.state === 'closed', { timeoutMs: 20_000, what: 'the circuit closed' });
  const deliveries = await waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpoint.id);
    return data.length === 5 && data.every((d) => d.status === 'success') && data;
  }, { timeoutMs: 30_000, what: 'every delivery a success' });
  // Every attempt is a request the receiver saw: the waits while open recorded none.
  expect(deliveries.reduce((n, d) => n + d.attemptCount, 0)).toBe(receiver.requests.length);
  expect(receiver.requests.filter((r) => r.at >= probeAt - 200)[0]).toBeDefined();

}, 90_000);

test("a tenant's circuit settings stay within bounds: a 400 names the field", async () => {
  const tenant = await stack.newTenant('bounds');
  for (const [field, value] of [['circuitFailures', 1], ['circuitWindow', '1s'], ['circuitCoolDown', '100ms']] as const) {
    const res = await fetch(`${stack.api.url}/v1/tenants/${tenant.id}/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [field]: value }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(field);
  }
  const ok = await stack.admin.updateTenantSettings(tenant.id, { circuitFailures: 5, circuitCoolDown: '10s' });
  expect(ok).toMatchObject({ circuitFailures: 5, circuitCoolDown: '10s', effective: { circuitFailures: 5, circuitCoolDown: '10s' } });
});
