import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';

/** Inputs Postgres or the runtime cannot take: each is a 400 naming the field, never a 500. */
let stack: Stack;
let tenant: Awaited<ReturnType<Stack['newTenant']>>;
let endpointId: string;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  tenant = await stack.newTenant();
  endpointId = (await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' })).id;
});
afterAll(() => stack?.stop());

async function send(method: string, path: string, body?: string, token = tenant.apiKey) {
  const res = await fetch(`${stack.api.url}${path.replace('{endpoint}', endpointId)}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

const publish = (data: string) => `{"tenantId":"${tenant.id}","type":"card.viewed","data":${data}}`;

test.each<[string, string, string | undefined]>([
  ['GET', '/v1/webhooks/%00', undefined],
  ['PATCH', '/v1/webhooks/%00', '{"description":"x"}'],
  ['DELETE', '/v1/webhooks/%00', undefined],
  ['POST', '/v1/webhooks/%00/rotate-secret', undefined],
  ['POST', '/v1/webhooks/%00/test', undefined],
  ['GET', '/v1/webhooks/%00/deliveries', undefined],
  ['GET', '/v1/deliveries/%00', undefined],
  ['POST', '/v1/deliveries/%00/redeliver', undefined],
  ['GET', '/v1/webhooks/ep_%00x', undefined],
  ['GET', '/v1/deliveries/%ED%A0%80', undefined],
])('%s %s (a NUL or broken character in the id) is 400 naming id', async (method, path, body) => {
  const res = await send(method, path, body);
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^id: /) });
});

test.each([
  ['POST', '/v1/webhooks', '{"url":"http://example.com/\\u0000"}', /^url: /],
  ['POST', '/v1/webhooks', '{"url":"http://example.com/","description":"a\\u0000b"}', /^description: /],
  ['POST', '/v1/webhooks', '{"url":"http://example.com/","description":"a\\ud800b"}', /^description: /],
  ['PATCH', '/v1/webhooks/{endpoint}', '{"url":"http://example.com/\\u0000"}', /^url: /],
  ['PATCH', '/v1/webhooks/{endpoint}', '{"description":"\\u0000"}', /^description: /],
])('%s %s %s is 400 naming the field', async (method, path, body, message) => {
  const res = await send(method, path, body);
  expect(res.status).toBe(400);
  expect(res.body.error!.message).toMatch(message);
});

test('a tenant name with a NUL is 400 naming name', async () => {
  const res = await send('POST', '/v1/tenants', '{"id":"nul-name","name":"a\\u0000"}', ADMIN_TOKEN);
  expect(res.status).toBe(400);
  expect(res.body.error!.message).toMatch(/^name: /);
});

test.each([
  ['a sequence past bigint', Buffer.from('s:9999999999999999999').toString('base64url')],
  ['a NUL', `${Buffer.from('s:1').toString('base64url')}%00`],
  ['a lone surrogate', '%ED%A0%80'],
  ['a number past any date', Buffer.from('99999999999999999999|dlv_x').toString('base64url')],
])('a page cursor holding %s is 400 naming cursor', async (_, cursor) => {
  const res = await send('GET', `/v1/webhooks/{endpoint}/deliveries?cursor=${cursor}`);
  expect(res.status).toBe(400);
  expect(res.body.error!.message).toMatch(/^cursor: /);
});

test.each([
  ['null', 'null'],
  ['a NUL in a string', '{"s":"a\\u0000b"}'],
  ['a NUL in a key', '{"a\\u0000":1}'],
  ['a lone high surrogate', '{"s":"\\ud800"}'],
  ['a lone low surrogate in an array', '["ok","\\udc00x"]'],
  ['a lone surrogate in a key', '{"\\udbff":true}'],
])('event data holding %s is 400 naming data', async (_, data) => {
  const res = await send('POST', '/v1/events', publish(data), ADMIN_TOKEN);
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^data: /) });
});

test('event data that is a flat array of 130,000 members (under 256 KiB) is accepted', async () => {
  // Inside an object: card.viewed's schema (deploy/event-types.yaml) wants its data to be one.
  const body = publish(JSON.stringify({ views: new Array(130_000).fill(0) }));
  expect(body.length).toBeLessThan(256 * 1024);
  const res = await send('POST', '/v1/events', body, ADMIN_TOKEN);
  expect(res.status).toBe(202);
});

test('a well-formed astral character (a surrogate pair) is fine everywhere', async () => {
  const res = await send('POST', '/v1/events', publish('{"s":"🙂","🙂":"\\ud83d\\ude42"}'), ADMIN_TOKEN);
  expect(res.status).toBe(202);
  expect((await send('PATCH', '/v1/webhooks/{endpoint}', '{"description":"🙂"}')).status).toBe(200);
});
