import { HooklineClient } from '../../api/client';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** Two API processes on one database: a tenant's limit is one count across both. */
const LIMITS = { HOOKLINE_TENANT_TEST_RATE: '3', HOOKLINE_TENANT_REDELIVER_RATE: '2' };
let one: Stack;
let two: Stack;

beforeAll(async () => {
  [one, two] = await Promise.all([startStack(LIMITS, { worker: false }), startStack(LIMITS, { worker: false })]);
});
afterAll(() => Promise.all([one?.stop(), two?.stop()]));

// A fixed one-minute window: start well inside one, so its end cannot fall between the calls.
const insideAMinute = () => waitFor(() => new Date().getSeconds() < 50, { timeoutMs: 15_000, what: 'a fresh minute' });

async function post(stack: Stack, path: string, apiKey: string) {
  const res = await fetch(`${stack.api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string; message: string } } };
}

function expectLimited(res: Awaited<ReturnType<typeof post>>, what: RegExp) {
  expect(res.status).toBe(429);
  expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(res.retryAfter)).toBeLessThanOrEqual(60);
  expect(res.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(what) });
}

test('test sends past HOOKLINE_TENANT_TEST_RATE a minute are 429 with Retry-After, counted across API processes; other tenants are not held back', async () => {
  const tenant = await one.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
  const onTwo = new HooklineClient({ baseUrl: two.api.url, token: tenant.apiKey });
  await insideAMinute();
  await tenant.api.testWebhook(endpoint.id);
  await onTwo.testWebhook(endpoint.id);
  await tenant.api.testWebhook(endpoint.id);
  expectLimited(await post(two, `/v1/webhooks/${endpoint.id}/test`, tenant.apiKey), /test/);
  expectLimited(await post(one, `/v1/webhooks/${endpoint.id}/test`, tenant.apiKey), /test/);
  // Three test deliveries were made, no more.
  expect((await tenant.api.listDeliveries(endpoint.id)).data.filter((d) => d.kind === 'test')).toHaveLength(3);

  const other = await two.newTenant();
  const theirs = await other.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
  await expect(other.api.testWebhook(theirs.id)).resolves.toEqual({ deliveryId: expect.any(String) });
});

test('redeliveries past HOOKLINE_TENANT_REDELIVER_RATE a minute are 429 with Retry-After, across API processes', async () => {
  const tenant = await one.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
  await one.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [delivery] = (await tenant.api.listDeliveries(endpoint.id)).data;
  await insideAMinute();
  await tenant.api.redeliver(delivery!.id);
  await new HooklineClient({ baseUrl: two.api.url, token: tenant.apiKey }).redeliver(delivery!.id);
  expectLimited(await post(two, `/v1/deliveries/${delivery!.id}/redeliver`, tenant.apiKey), /redeliver/);
  expect((await tenant.api.listDeliveries(endpoint.id)).data.filter((d) => d.kind === 'redelivery')).toHaveLength(2);
  // Test sends keep their own count.
  await expect(tenant.api.testWebhook(endpoint.id)).resolves.toEqual({ deliveryId: expect.any(String) });
});
