import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DELIVERIES_PER_OUTBOX_ROW } from '../../services/publish';
import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { expectError } from '../harness/expect-error';
import { useStackAndReceiver } from '../harness/use-stack';
import { runProcess } from '../harness/run-process';

/** Payload filters and channels on the real stack: who receives what, the fan-out, bad input, and the delivery log. */
const env = useStackAndReceiver({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '200', HOOKLINE_RETRY_SCHEDULE: '50ms' });
const REDIS = 'redis://127.0.0.1:6379/0';

type Tenant = Awaited<ReturnType<typeof env.stack.newTenant>>;

/** `${endpoint name} ${event id}` for each request the receiver got from this tenant's endpoints. */
function receivedPairs(tag: string): string[] {
  return env.receiver.requests
    .filter((r) => r.url.includes(`t=${tag}`))
    .map((r) => `${new URL(r.url, 'http://x').searchParams.get('ep')} ${(JSON.parse(r.body) as { id: string }).id}`);
}

async function streamEventIds(stream: string): Promise<string[]> {
  const client = new Redis(REDIS);
  try {
    const entries = (await client.xrange(stream, '-', '+')) as [string, string[]][];
    return entries.map(([, flat]) => (JSON.parse(flat[flat.indexOf('body') + 1]!) as { id: string }).id);
  } finally {
    client.disconnect();
  }
}

test('a mixed stream reaches each endpoint with exactly the events its filter and channels match, broker endpoints too', async () => {
  const tenant = await env.stack.newTenant();
  const tag = tenant.id;
  const url = (ep: string) => `${env.receiver.url}?t=${tag}&ep=${ep}`;
  const stream = `filters-${randomUUID()}`;
  const redis = new Redis(REDIS);
  await redis.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
  try {
    await tenant.api.createWebhook({ url: url('neither') });
    await tenant.api.createWebhook({ url: url('amount'), filter: { data: { amount: { $gte: 100 } } } });
    await tenant.api.createWebhook({ url: url('eu'), channels: ['eu'] });
    await tenant.api.createWebhook({ url: url('both'), channels: ['us'], filter: { data: { status: { $in: ['paid', 'shipped'] } } } });
    await tenant.api.createWebhook({ url: url('logic'), filter: { $or: [{ type: 'contact.saved' }, { data: { tags: { $contains: 'vip' } } }] } });
    await tenant.api.createWebhook({ url: url('sees-channels'), filter: { channels: 'asia', id: { $startsWith: 'ord-' } } });
    await tenant.api.createWebhook({ url: url('cards-only'), events: ['card.viewed'], filter: { $not: { data: { status: 'paid' } } } });
    await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: REDIS, stream }, channels: ['eu'], filter: { data: { amount: { $lt: 200 } } } });

    const events = [
      { id: 'ord-1', type: 'card.viewed', data: { amount: 150, status: 'paid' } },
      { id: 'ord-2', type: 'card.viewed', data: { amount: 50, status: 'paid' }, channels: ['eu'] },
      { id: 'ord-3', type: 'contact.saved', data: { amount: 500, status: 'open', tags: ['vip'] }, channels: ['us'] },
      { id: 'ord-4', type: 'card.viewed', data: { amount: 100, status: 'shipped' }, channels: ['us', 'eu'] },
      { id: 'ord-5', type: 'card.viewed', data: { status: 'paid' }, channels: ['asia'] },
      { id: 'xyz-6', type: 'contact.saved', data: { amount: 'lots' }, channels: ['asia'] },
    ];
    for (const e of events) await env.stack.admin.publish({ tenantId: tenant.id, ...e });
    await env.stack.admin.publish({ tenantId: tenant.id, id: 'ord-7', type: 'card.viewed', data: { amount: 1000, status: 'paid', tags: ['vip'] }, channels: ['eu', 'us', 'asia'] });

    const expected = [
      'neither ord-1', 'neither ord-2', 'neither ord-3', 'neither ord-4', 'neither ord-5', 'neither xyz-6', 'neither ord-7',
      'amount ord-1', 'amount ord-3', 'amount ord-4', 'amount ord-7',
      'eu ord-2', 'eu ord-4', 'eu ord-7',
      'both ord-4', 'both ord-7',
      'logic ord-3', 'logic xyz-6', 'logic ord-7',
      'sees-channels ord-5', 'sees-channels ord-7',
      'cards-only ord-4',
    ].sort();
    const has = (pairs: string[]) => expected.every((p) => pairs.includes(p));
    await waitFor(() => has(receivedPairs(tag)), { timeoutMs: 90_000, what: `${expected.length} deliveries` });
    await waitFor(async () => (await streamEventIds(stream)).length >= 2, { timeoutMs: 60_000, what: 'two stream entries' });

    // Then an event every endpoint matches: once it has reached them all, nothing unexpected came before it.
    await env.stack.admin.publish({ tenantId: tenant.id, id: 'ord-last', type: 'card.viewed', data: { amount: 150, status: 'shipped', tags: ['vip'] }, channels: ['eu', 'us', 'asia'] });
    const names = ['neither', 'amount', 'eu', 'both', 'logic', 'sees-channels', 'cards-only'];
    await waitFor(() => has(receivedPairs(tag)) && names.every((n) => receivedPairs(tag).includes(`${n} ord-last`)), { timeoutMs: 60_000, what: 'the last event everywhere' });
    await waitFor(async () => (await streamEventIds(stream)).includes('ord-last'), { timeoutMs: 60_000, what: 'the last event in the stream' });
    expect(receivedPairs(tag).sort()).toEqual([...expected, ...names.map((n) => `${n} ord-last`)].sort());
    expect((await streamEventIds(stream)).sort()).toEqual(['ord-2', 'ord-4', 'ord-last']);

    // The log agrees: no delivery row was made for an endpoint that did not match.
    const [rows] = await env.stack.sql<{ n: number }[]>`select count(*)::int as n from deliveries where tenant_id = ${tenant.id}`;
    expect(rows!.n).toBe(expected.length + 2 + names.length + 1);
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test('fan-out beyond one outbox row: every matching filtered endpoint receives the event, the others nothing', async () => {
  const tenant = await env.stack.newTenant();
  const tag = tenant.id;
  const matching = DELIVERIES_PER_OUTBOX_ROW + 5;
  const create = (ep: string, extra: object) => tenant.api.createWebhook({ url: `${env.receiver.url}?t=${tag}&ep=${ep}`, ...extra });
  for (let i = 0; i < matching; i++) await create(`match-${i}`, { filter: { data: { region: { $in: ['eu', 'us'] } } } });
  await create('plain', {});
  await create('filter-miss', { filter: { data: { region: 'asia' } } });
  await create('channel-miss', { channels: ['other'] });
  await create('channel-hit', { channels: ['big'] });

  const { id } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { region: 'eu' }, channels: ['big'] });
  // Deliveries are written with the event: the endpoints that miss have none to be sent later.
  const logged = await env.stack.sql<{ url: string }[]>`
    select e.url from deliveries d join endpoints e on e.id = d.endpoint_id where d.tenant_id = ${tenant.id}`;
  expect(logged).toHaveLength(matching + 2);
  expect(logged.some((r) => /ep=(filter|channel)-miss/.test(r.url))).toBe(false);
  await waitFor(() => receivedPairs(tag).length >= matching + 2, { timeoutMs: 120_000, what: `${matching + 2} deliveries` });
  const got = receivedPairs(tag);
  expect(got).toHaveLength(matching + 2);
  expect(new Set(got).size).toBe(matching + 2);
  expect(got.every((p) => p.endsWith(` ${id}`))).toBe(true);
  expect(got.some((p) => p.startsWith('filter-miss') || p.startsWith('channel-miss'))).toBe(false);
  await waitFor(async () => {
    const [row] = await env.stack.sql<{ n: number }[]>`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`;
    return row!.n === 0;
  }, { what: 'the outbox to be empty' });
});

describe('setting, replacing and clearing', () => {
  let tenant: Tenant;
  beforeAll(async () => { tenant = await env.stack.newTenant(); });

  test('answers show the filter and channels; PATCH replaces them, and null, {} or [] clears them', async () => {
    const filter = { data: { order_id: { $startsWith: 'A-' }, 'dotted.key': 1 } };
    const created = await tenant.api.createWebhook({ url: env.receiver.url, filter, channels: ['a', 'b:c'] });
    expect(created).toMatchObject({ filter, channels: ['a', 'b:c'] });
    expect(await tenant.api.getWebhook(created.id)).toMatchObject({ filter, channels: ['a', 'b:c'] });

    const replaced = await tenant.api.updateWebhook(created.id, { filter: { type: 'card.viewed' }, channels: ['z'] });
    expect(replaced).toMatchObject({ filter: { type: 'card.viewed' }, channels: ['z'] });
    const other = await tenant.api.updateWebhook(created.id, { description: 'unrelated' });
    expect(other).toMatchObject({ filter: { type: 'card.viewed' }, channels: ['z'] });

    expect(await tenant.api.updateWebhook(created.id, { filter: null, channels: null })).toMatchObject({ filter: null, channels: [] });
    await tenant.api.updateWebhook(created.id, { filter: { id: 'x' }, channels: ['y'] });
    expect(await tenant.api.updateWebhook(created.id, { filter: {}, channels: [] })).toMatchObject({ filter: null, channels: [] });
    const plain = await tenant.api.createWebhook({ url: env.receiver.url });
    expect(plain).toMatchObject({ filter: null, channels: [] });
  });

  test('a disabled endpoint logs as skipped only the events its filter and channels match', async () => {
    const filtered = await tenant.api.createWebhook({ url: env.receiver.url, filter: { data: { n: { $gte: 10 } } } });
    const channelled = await tenant.api.createWebhook({ url: env.receiver.url, channels: ['eu'] });
    for (const e of [filtered, channelled]) await tenant.api.updateWebhook(e.id, { enabled: false });
    const big = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 50 }, channels: ['us'] });
    const eu = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: 1 }, channels: ['eu'] });
    // Published again with the same id: one event, one set of deliveries, filtered endpoints included.
    await env.stack.admin.publish({ tenantId: tenant.id, id: big.id, type: 'card.viewed', data: { n: 50 }, channels: ['us'] });
    const logged = async (id: string) => (await tenant.api.listDeliveries(id)).data.map((d) => [d.eventId, d.status]);
    expect(await logged(filtered.id)).toEqual([[big.id, 'skipped']]);
    expect(await logged(channelled.id)).toEqual([[eu.id, 'skipped']]);
  });

  test('a test send reaches an endpoint whose filter and channels match nothing', async () => {
    const endpoint = await tenant.api.createWebhook({ url: `${env.receiver.url}?t=test-${tenant.id}`, filter: { type: 'never.this' }, channels: ['nowhere'] });
    await tenant.api.testWebhook(endpoint.id);
    await waitFor(() => env.receiver.requests.some((r) => r.url.includes(`t=test-${tenant.id}`) && r.body.includes('webhook.test')), { what: 'the test send' });
  });
});

describe('bad input is a 400 naming the field', () => {
  let tenant: Tenant;
  let endpointId: string;
  beforeAll(async () => {
    tenant = await env.stack.newTenant();
    endpointId = (await tenant.api.createWebhook({ url: env.receiver.url })).id;
  });

  test.each([
    ['an unknown operator', { data: { amount: { $regex: '^1' } } }, /filter\.data\.amount\.\$regex: unknown operator/],
    ['a wrong operand type', { data: { amount: { $gte: 'x', $lt: [1] } } }, /filter\.data\.amount\.\$lt: must be a number or a string/],
    ['$in without an array', { type: { $in: 'card.viewed' } }, /filter\.type\.\$in: must be an array/],
    ['$or of nothing', { $or: [] }, /filter\.\$or: must be a non-empty array/],
    ['too deep', { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }, /filter\.a\.b\.c\.d\.e\.f\.g\.h: nested deeper than 8 levels/],
    ['too large', { data: { s: 'x'.repeat(9000) } }, /filter: must be at most 8 KiB/],
    ['an array', [{ type: 'x' }], /^400 invalid_request: filter: /],
    ['a string', 'type=x', /^400 invalid_request: filter: /],
    ['a NUL character', { data: { s: 'a\u0000' } }, /filter: must not contain a NUL character/],
  ])('filter: %s', async (_name, filter, message) => {
    await expectError(tenant.api.createWebhook({ url: env.receiver.url, filter: filter as never }), 400, message);
    await expectError(tenant.api.updateWebhook(endpointId, { filter: filter as never }), 400, message);
  });

  test.each([
    ['a bad name', ['ok', 'not ok'], /channels\.1: must match/],
    ['too long a name', ['x'.repeat(65)], /channels\.0: must match/],
    ['an empty name', [''], /channels\.0: must match/],
    ['too many', Array.from({ length: 11 }, (_, i) => `c${i}`), /channels: at most 10 channels/],
    ['a repeat', ['a', 'a'], /channels: must not repeat a channel/],
    ['not an array', 'eu', /channels: /],
  ])('endpoint channels: %s', async (_name, channels, message) => {
    await expectError(tenant.api.createWebhook({ url: env.receiver.url, channels: channels as never }), 400, message);
    await expectError(tenant.api.updateWebhook(endpointId, { channels: channels as never }), 400, message);
  });

  test.each([
    ['a bad name', ['eu', 'a/b'], /channels\.1: must match/],
    ['too many', Array.from({ length: 11 }, (_, i) => `c${i}`), /channels: at most 10 channels/],
    ['not strings', [1], /channels\.0: /],
  ])('event channels: %s', async (_name, channels, message) => {
    await expectError(env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {}, channels: channels as never }), 400, message);
  });

  test('nothing was stored by the refused requests', async () => {
    expect(await tenant.api.getWebhook(endpointId)).toMatchObject({ filter: null, channels: [] });
    expect((await tenant.api.listWebhooks()).data).toHaveLength(1);
  });
});

test('the delivery log and the event log are searched by channel', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: `${env.receiver.url}?t=log-${tenant.id}` });
  const eu = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {}, channels: ['eu', 'shop-1'] });
  const us = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {}, channels: ['us'] });
  await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });

  const byEu = await tenant.api.searchDeliveries({ channel: 'eu' });
  expect(byEu.data.map((d) => d.eventId)).toEqual([eu.id]);
  expect(byEu.data[0]!.endpointId).toBe(endpoint.id);
  expect((await tenant.api.searchDeliveries({ channel: 'us', endpointId: endpoint.id })).data.map((d) => d.eventId)).toEqual([us.id]);
  expect((await tenant.api.searchDeliveries({ channel: 'none' })).data).toEqual([]);
  expect((await tenant.api.searchDeliveries({})).data).toHaveLength(3);

  const events = await tenant.api.listEvents({ channel: 'shop-1' });
  expect(events.data).toEqual([expect.objectContaining({ id: eu.id, channels: ['eu', 'shop-1'] })]);
  expect(await tenant.api.getEvent(us.id)).toMatchObject({ channels: ['us'] });
  await expectError(tenant.api.searchDeliveries({ channel: 'a b' }), 400, /channel: must match/);
});

test('the CLI sets a filter and channels, publishes with channels and lists deliveries by channel', async () => {
  const tenant = await env.stack.newTenant();
  const cli = (token: string, ...args: string[]) => runProcess('npx', ['hookline', ...args, '--json'], { env: { HOOKLINE_URL: env.stack.api.url, HOOKLINE_TOKEN: token } });
  const created = await cli(tenant.apiKey, 'endpoints', 'create', '--url', `${env.receiver.url}?t=cli`, '--channels', 'eu');
  expect(created).toMatchObject({ code: 0 });
  const { id, url, channels } = JSON.parse(created.stdout) as { id: string; url: string; channels: string[] };
  expect({ url, channels }).toEqual({ url: `${env.receiver.url}?t=cli`, channels: ['eu'] });
  const updated = await cli(tenant.apiKey, 'endpoints', 'update', id, '--filter', '{"data":{"n":{"$gt":1}}}', '--channels', 'eu,us');
  expect(updated).toMatchObject({ code: 0 });
  expect(JSON.parse(updated.stdout)).toMatchObject({ filter: { data: { n: { $gt: 1 } } }, channels: ['eu', 'us'] });
  const refused = await cli(tenant.apiKey, 'endpoints', 'update', id, '--filter', '{"data":{"n":{"$gt":true}}}');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('filter.data.n.$gt: must be a number or a string');

  expect(await cli(ADMIN_TOKEN, 'events', 'publish', '--tenant', tenant.id, '--type', 'card.viewed', '--id', 'cli-2', '--channels', 'eu', '{"n":2}')).toMatchObject({ code: 0 });
  expect(await cli(ADMIN_TOKEN, 'events', 'publish', '--tenant', tenant.id, '--type', 'card.viewed', '--id', 'cli-1', '--channels', 'eu', '{"n":1}')).toMatchObject({ code: 0 });
  const listed = await cli(tenant.apiKey, 'deliveries', 'list', '--channel', 'eu');
  expect((JSON.parse(listed.stdout) as { data: { eventId: string }[] }).data.map((d) => d.eventId)).toEqual(['cli-2']);
});

test('a filter changed or added just before a publish applies to it: the publishing process never matches a stale copy', async () => {
  const tenant = await env.stack.newTenant();
  const tag = tenant.id;
  const url = (ep: string) => `${env.receiver.url}?t=${tag}&ep=${ep}`;
  const big = await tenant.api.createWebhook({ url: url('big'), filter: { data: { n: { $gt: 5 } } } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'e-1', type: 'card.viewed', data: { n: 10 } });
  // Within the copy's life: the changed filter and the new endpoint count for the very next publish.
  await tenant.api.updateWebhook(big.id, { filter: { data: { n: { $lt: 5 } } } });
  await tenant.api.createWebhook({ url: url('new'), filter: { data: { n: 10 } } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'e-2', type: 'card.viewed', data: { n: 10 } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'e-3', type: 'card.viewed', data: { n: 1 } });
  // A filter on createdAt is matched once the event has it.
  await tenant.api.createWebhook({ url: url('dated'), filter: { createdAt: { $gte: '2000-01-01T00:00:00Z' } } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'e-4', type: 'card.viewed', data: { n: 10 } });
  await env.stack.admin.publish({ tenantId: tenant.id, id: 'last', type: 'card.viewed', data: { n: 0 } });
  await waitFor(() => receivedPairs(tag).includes('big last'), { timeoutMs: 30_000, what: 'the last event' });
  await waitFor(() => receivedPairs(tag).length >= 7, { timeoutMs: 30_000, what: 'seven deliveries' });
  expect(receivedPairs(tag).sort()).toEqual(['big e-1', 'big e-3', 'big last', 'dated e-4', 'dated last', 'new e-2', 'new e-4'].sort());
});
