import { startStack, type Stack } from '../../tools/testkit/stack';
import { recordAttempt } from '../../db/queries/attempts';
import { expectError } from '../harness/expect-error';
import { waitFor } from '../../tools/testkit/wait';
import { makeTestPki } from '../../tools/testkit/certificates';
import { storableJson } from '../../domain/json-depth';

// Input that passes the API's checks but that Postgres could not take, or that came back changed:
// each must be stored and read back as sent, or refused with a 400 naming the field.
let stack: Stack;
let tenant: Awaited<ReturnType<Stack['newTenant']>>;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  tenant = await stack.newTenant();
});
afterAll(() => stack?.stop());

test('an event reads back with its data exactly as published, whatever its keys', async () => {
  const data = { order_id: 1, a: 1, b_c: 2, bC: 3, '': 'empty key', x_: { y_z: [{ k_1: true, __x__: null }] }, 'snake_case_key': 'v' };
  await stack.admin.publish({ tenantId: tenant.id, id: 'keys-as-sent', type: 'card.viewed', data });
  const event = await tenant.api.getEvent('keys-as-sent');
  expect(event.data).toEqual(data);
});

test.each([
  ['/v1/deliveries?since=9999-12-31T23:59:59-01:00', 'since'],
  ['/v1/events?until=9999-12-31T23:30:00-00:45', 'until'],
  ['/v1/stats?since=9999-12-31T20:00:00-14:00', 'since'],
])('%s: an instant past the year 9999 in UTC is a 400 naming %s', async (path, field) => {
  await expectError(tenant.api.request('GET', path), 400, new RegExp(`invalid_request: ${field}: `));
});

test('a NUL in an API key or portal session id is a 400 or 404, not a 500', async () => {
  for (const path of [`/v1/tenants/${tenant.id}/api-keys/%00`, `/v1/tenants/${tenant.id}/portal-sessions/%00`]) {
    const res = await fetch(`${stack.api.url}${path}`, { method: 'DELETE', headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect([400, 404]).toContain(res.status);
  }
});

test.each<[string, Record<string, unknown>, RegExp]>([
  ['a NUL in a Redis stream', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's\u0000' } }, /invalid_request: config\.stream: must not contain a NUL/],
  ['a lone surrogate in a Redis stream', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: '\ud800' } }, /invalid_request: config\.stream: must be well-formed Unicode/],
  ['a NUL in a RabbitMQ routing key', { type: 'rabbitmq', config: { serverUrl: 'amqp://127.0.0.1:5672/', exchange: 'x', routingKey: 'k\u0000' } }, /invalid_request: config\.routingKey: must not contain a NUL/],
  ['a NUL after a NATS server URL', { type: 'nats', config: { serverUrl: 'nats://127.0.0.1:4222\u0000', subject: 'a' } }, /invalid_request: config\.serverUrl: must not contain a NUL/],
  ['a NUL in an OAuth2 token URL', { url: 'http://127.0.0.1:9/hook', auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/token\u0000', clientId: 'a', clientSecret: 'b' } }, /invalid_request: auth\.tokenUrl: must not contain a NUL/],
])('%s is a 400 naming the field', async (_what, body, message) => {
  await expectError(tenant.api.createWebhook(body as never), 400, message);
});

test('a NUL around a client certificate’s PEM block is a 400 naming the field', async () => {
  const pki = makeTestPki();
  const tls = { clientCertificate: `\u0000${pki.client.cert}`, clientKey: pki.client.key, caCertificate: pki.ca.cert };
  await expectError(tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook', tls }), 400, /invalid_request: tls\.clientCertificate: must not contain a NUL/);
});

test('an attempt whose error or answer holds a NUL is recorded (the NUL left out), not refused forever', async () => {
  const endpoint = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
  await stack.admin.publish({ tenantId: tenant.id, id: 'nul-answer', type: 'card.viewed', data: {} });
  const [delivery] = await stack.sql<{ id: string }[]>`select id from deliveries where event_id = 'nul-answer' and endpoint_id = ${endpoint.id}`;
  const recorded = await stack.sql.begin((tx) =>
    recordAttempt(tx, {
      deliveryId: delivery!.id, tenantId: tenant.id, attempt: 1, status: 'pending', nextRetryAt: new Date(Date.now() + 60_000),
      startedAt: new Date(), durationMs: 5, responseStatus: 400, responseBody: 'bad\u0000body', error: 'token endpoint answered 400: no\u0000pe', pauseEndpointMs: null,
    }),
  );
  expect(recorded).toBe(true);
  const [attempt] = await stack.sql<{ responseBody: string; error: string }[]>`select response_body, error from attempts where delivery_id = ${delivery!.id}`;
  expect(attempt).toEqual({ responseBody: 'badbody', error: 'token endpoint answered 400: nope' });
});

test('a publish that meets an endpoint deletion committing under it is stored (without that endpoint), not answered 404', async () => {
  const doomed = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/doomed' });
  const deletion = await stack.sql.reserve();
  try {
    await deletion`begin`;
    await deletion`delete from endpoints where id = ${doomed.id}`;
    const publish = stack.admin.publish({ tenantId: tenant.id, id: 'meets-a-deletion', type: 'card.viewed', data: {} }).then(
      (r) => ({ ok: r }),
      (err: unknown) => ({ err }),
    );
    // The publish read the endpoint before the deletion committed, and waits on its row.
    await waitFor(async () => {
      const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into deliveries%'`;
      return row!.n > 0;
    }, { what: 'the publish to wait on the endpoint row' });
    await deletion`commit`;
    expect(await publish).toEqual({ ok: expect.objectContaining({ id: 'meets-a-deletion' }) });
    const [stored] = await stack.sql<{ n: number }[]>`select count(*)::int as n from events where tenant_id = ${tenant.id} and id = 'meets-a-deletion'`;
    expect(stored!.n).toBe(1);
  } finally {
    deletion.release();
  }
});

test('words quoted from a receiver or broker (a NUL, half an emoji at a cut) are made storable as jsonb, which refuses them as they are', async () => {
  const quoted = { lastError: `-WRONGTYPE \u0000 ${'😀'.slice(0, 1)}`, [`k\u0000`]: ['\udc00'] };
  await expect(stack.sql`select ${stack.sql.json(quoted as never)}::jsonb`).rejects.toMatchObject({ code: expect.stringMatching(/^22P0[25]$/) });
  const [row] = await stack.sql<{ v: unknown }[]>`select ${stack.sql.json(storableJson(quoted) as never)}::jsonb as v`;
  expect(row!.v).toEqual({ lastError: '-WRONGTYPE  \ufffd', k: ['\ufffd'] });
});

test('deleting an endpoint with a backlog stops its workflows in outbox rows of at most 100 deliveries each, every one named', async () => {
  const backlogged = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/backlog' });
  for (let i = 0; i < 250; i += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, j) => stack.admin.publish({ tenantId: tenant.id, id: `backlog-${i + j}`, type: 'card.viewed', data: {} })));
  }
  const pending = await stack.sql<{ id: string }[]>`select id from deliveries where endpoint_id = ${backlogged.id} and status = 'pending'`;
  expect(pending).toHaveLength(250);
  await tenant.api.deleteWebhook(backlogged.id);
  const rows = await stack.sql<{ payload: { endpointId: string; deliveryIds: string[] } }[]>`
    select payload from outbox where kind = 'stop_endpoint' and payload->>'endpointId' = ${backlogged.id}`;
  expect(Math.max(...rows.map((r) => r.payload.deliveryIds.length))).toBeLessThanOrEqual(100);
  expect(rows.flatMap((r) => r.payload.deliveryIds).sort()).toEqual(pending.map((p) => p.id).sort());
});
