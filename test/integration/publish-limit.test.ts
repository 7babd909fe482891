import { createPublishLimiter } from '../../services/publish-limit';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// The per-tenant publish limit (issue 22 item 9): a producer's bug floods one tenant no faster than
// its limit, with 429 + Retry-After, and no other tenant notices.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

async function publishRaw(tenantId: string, n: number) {
  const res = await fetch(`${stack.api.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, type: 'card.viewed', data: { n } }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string; message: string } } };
}

test('a tenant over its publish limit gets 429 with Retry-After; a tenant without one is not slowed', async () => {
  const limited = await stack.newTenant('limited');
  const free = await stack.newTenant('free');
  const settings = await stack.admin.updateTenantSettings(limited.id, { publishPerSecond: 2 });
  expect(settings).toMatchObject({ publishPerSecond: 2, effective: { publishPerSecond: 2 } });

  const burst = await Promise.all(Array.from({ length: 10 }, (_, n) => publishRaw(limited.id, n)));
  const accepted = burst.filter((r) => r.status === 202).length;
  const refused = burst.filter((r) => r.status === 429);
  expect(accepted).toBeGreaterThanOrEqual(2);
  expect(accepted).toBeLessThanOrEqual(3); // one second's worth, and what refills while the burst lasts
  expect(refused.length).toBe(10 - accepted);
  for (const r of refused) {
    expect(r.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(r.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('2 events a second') });
  }
  // Only the stored events count: the refused ones were not stored.
  const [stored] = await stack.sql<{ n: number }[]>`select count(*)::int as n from events where tenant_id = ${limited.id}`;
  expect(stored!.n).toBe(accepted);

  const other = await Promise.all(Array.from({ length: 10 }, (_, n) => publishRaw(free.id, n)));
  expect(other.map((r) => r.status)).toEqual(Array(10).fill(202));

  // After Retry-After the tenant publishes again.
  await new Promise((r) => setTimeout(r, Number(refused[0]!.retryAfter) * 1000));
  expect((await publishRaw(limited.id, 99)).status).toBe(202);
});

test('the limit is a setting: null inherits HOOKLINE_PUBLISH_RATE_PER_SECOND, 0 lifts it, bad values are 400 naming the field', async () => {
  const inherits = await stack.newTenant('inherits');
  const lifted = await stack.newTenant('lifted');
  await stack.admin.updateTenantSettings(lifted.id, { publishPerSecond: 0 });
  // The same service the API runs, under a deployment default of 1 a second.
  const limiter = createPublishLimiter({ sql: stack.sql, config: { ...stack.config, publishPerSecond: 1 } });
  await limiter.take(inherits.id);
  await expect(limiter.take(inherits.id)).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
  for (let i = 0; i < 5; i++) await limiter.take(lifted.id);
  // An unknown tenant is not the limiter's to answer (the publish answers 404).
  await limiter.take('no-such-tenant');

  for (const bad of [-1, 1.5, 'fast']) {
    const res = await fetch(`${stack.api.url}/v1/tenants/${inherits.id}/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publishPerSecond: bad }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('publishPerSecond');
  }
  // A limit set and then returned to null: the deployment's (none here) applies again, within the cache's life.
  await stack.admin.updateTenantSettings(inherits.id, { publishPerSecond: 1 });
  await stack.admin.updateTenantSettings(inherits.id, { publishPerSecond: null });
  await waitFor(async () => (await Promise.all([1, 2, 3].map((n) => publishRaw(inherits.id, n)))).every((r) => r.status === 202), {
    timeoutMs: 15_000, what: 'the lifted limit',
  });
});
