import fc from 'fast-check';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';

/**
 * Random requests against the running API: any method, path, auth, content type and body,
 * including unicode, huge and deeply nested JSON, wrong types and injection strings, and the shapes
 * Postgres or the runtime cannot take (NUL, lone surrogates, huge flat arrays, edge-number cursors).
 * Every answer must be a 2xx/3xx/4xx in the SPEC error shape, in time, and the process must stay up.
 * HOOKLINE_FUZZ_RUNS sets the number of requests (CI runs the default).
 */
const RUNS = Number(process.env.HOOKLINE_FUZZ_RUNS ?? 400);

let stack: Stack;
let tenant: { id: string; apiKey: string };
let endpointId: string;
let deliveryId: string;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_OPEN_EVENT_TYPES: 'true' }, { worker: false });
  const t = await stack.newTenant('fuzz');
  tenant = t;
  endpointId = (await t.api.createWebhook({ url: 'http://127.0.0.1:9/hook' })).id;
  await stack.admin.publish({ tenantId: t.id, type: 'card.viewed', data: {} });
  deliveryId = (await t.api.listDeliveries(endpointId)).data[0]!.id;
});
afterAll(() => stack?.stop());

const nasty = fc.constantFrom(
  "' OR 1=1 --", "'; drop table tenants; --", '"; select pg_sleep(10); --', '../../etc/passwd', '%2e%2e%2f', '%00', '\u0000',
  '${jndi:ldap://x}', '<script>alert(1)</script>', '🙂'.repeat(50), '\u202e\u0301', 'a'.repeat(5000), '-1', '1e309', 'NaN',
  'null', 'true', '[]', '{}', 'whsec_', 'hk_', ' ', '',
);
/** What Postgres text and jsonb refuse: NUL and lone surrogates, alone or inside other text. */
const unstorable = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff\u0000', 'a\ud83d'), fc.string({ maxLength: 8 }))
  .map(([a, bad, b]) => a + bad + b);
const bigNumbers = ['9223372036854775807', '9223372036854775808', '99999999999999999999', '18446744073709551616', '-9223372036854775809', '1e309', '0', '-1'];
const edgeTimes = ['0000-01-01T00:00:00.000000Z', '1969-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.999999Z', '2024-13-01T00:00:00.000000Z', '2024-02-30T25:61:61.000000Z'];
/** Page cursors that decode to edge numbers and times, in today's and yesterday's formats. */
const edgeCursor = fc.oneof(
  fc.constantFrom(...bigNumbers).map((n) => Buffer.from(`s:${n}`).toString('base64url')),
  fc.tuple(fc.constantFrom(...edgeTimes, ...bigNumbers), fc.constantFrom('dlv_x', '__delivery__', 'dlv_\u0000', '')).map(([t, i]) => Buffer.from(`${t}|${i}`).toString('base64url')),
  fc.constantFrom(...bigNumbers),
  unstorable.map((u) => Buffer.from(u).toString('base64url') + u),
);
/** `?cursor=...` as a client sends it, and raw escapes that decode to NUL or to no UTF-8 at all. */
const edgeCursorQuery = fc.oneof(
  edgeCursor.map((cursor) => `?${new URLSearchParams({ cursor })}`),
  fc.constantFrom('%00', '%ED%A0%80', '%C0%80', '%FF', `${Buffer.from('s:1').toString('base64url')}%00`).map((raw) => `?cursor=${raw}`),
);
const flatArray = fc.integer({ min: 1_000, max: 130_000 }).map((n) => new Array(n).fill(0));
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), nasty, unstorable);
const id = fc.oneof(text, fc.constant('__endpoint__'), fc.constant('__delivery__'));

const paths = fc.oneof(
  { arbitrary: fc.constantFrom('/v1/tenants', '/v1/events', '/v1/webhooks'), weight: 6 },
  fc.constantFrom('/v1/tenants', '/v1/events', '/v1/event-types', '/v1/webhooks', '/healthz', '/metrics', '/openapi.json', '/docs', '/'),
  { arbitrary: fc.tuple(fc.constantFrom('/v1/webhooks/', '/v1/deliveries/'), id, fc.constantFrom('', '/rotate-secret', '/test', '/deliveries', '/redeliver', '/x')).map(([a, b, c]) => a + b + c), weight: 4 },
  fc.tuple(fc.constant('/v1/webhooks/__endpoint__/deliveries?'), fc.dictionary(fc.constantFrom('status', 'limit', 'cursor', 'x'), text)).map(([p, q]) => p + new URLSearchParams(q)),
  edgeCursorQuery.map((q) => `/v1/webhooks/__endpoint__/deliveries${q}`),
  text.map((t) => `/${t}`),
  // Search (issue 15): every filter, with text of any kind.
  fc.tuple(fc.constantFrom('/v1/deliveries?', '/v1/events?'), fc.dictionary(fc.constantFrom('endpointId', 'eventId', 'eventType', 'type', 'status', 'kind', 'since', 'until', 'limit', 'cursor', 'tenantId'), text)).map(([p, q]) => p + new URLSearchParams(q)),
  fc.tuple(id, fc.option(text, { nil: undefined })).map(([e, t]) => `/v1/events/${e}${t === undefined ? '' : `?${new URLSearchParams({ tenantId: t })}`}`),
  edgeCursorQuery.map((q) => `/v1/deliveries${q}`),
);

const deep = (n: number, leaf: unknown): unknown => (n === 0 ? leaf : Math.random() < 0.5 ? [deep(n - 1, leaf)] : { a: deep(n - 1, leaf) });
const field = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }));
const bodies = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc.record({ id: field, name: field, tenantId: field, type: field, data: field, url: field, events: field, description: field, enabled: field, extra: field }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({
    tenantId: fc.constant('__tenant__'), type: fc.constantFrom('card.viewed', 'x.y', 'webhook.test', ''), data: fc.jsonValue({ maxDepth: 4 }), id: fc.option(text, { nil: undefined }),
  }).map((v) => JSON.stringify(v)),
  fc.record({ url: fc.oneof(fc.webUrl(), text), events: fc.array(fc.oneof(text, fc.constant('*')), { maxLength: 4 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 400 }).map((n) => JSON.stringify({ tenantId: '__tenant__', type: 'card.viewed', data: deep(n, 1) })),
  fc.integer({ min: 1, max: 200_000 }).map((n) => JSON.stringify({ tenantId: '__tenant__', type: 'card.viewed', data: { s: 'x'.repeat(n) } })),
  text,
  edgeBodies(),
  hostileDefinitions(),
);

/** Issue 22 items 4–6: exploding schemas for /v1/event-types, quadratic uniqueItems data, weak imported secrets. */
function hostileDefinitions() {
  const chain = (levels: number, combinator: string) => {
    const $defs: Record<string, unknown> = { [`d${levels}`]: { type: 'string' } };
    for (let i = 0; i < levels; i++) $defs[`d${i}`] = { [combinator]: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    return { $ref: '#/$defs/d0', $defs };
  };
  const weakSecrets = [`whsec_${'A'.repeat(32)}`, `whsec_${Buffer.from('password'.repeat(4)).toString('base64')}`, `whsec_${Buffer.alloc(24, 1).toString('base64')}`];
  return fc.oneof(
    fc.tuple(fc.integer({ min: 12, max: 40 }), fc.constantFrom('anyOf', 'allOf', 'oneOf'), fc.nat()).map(([n, c, k]) => JSON.stringify({ type: `fuzz.chain${k}`, schema: chain(n, c) })),
    fc.tuple(fc.integer({ min: 1_000, max: 15_000 }), fc.nat()).map(([n, k]) => JSON.stringify({ type: `fuzz.unique${k}`, schema: { type: 'array', uniqueItems: true }, example: Array.from({ length: n }, (_, i) => [i]) })),
    fc.integer({ min: 1_000, max: 15_000 }).map((n) => JSON.stringify({ tenantId: '__tenant__', type: 'card.viewed', data: Array.from({ length: n }, (_, i) => [i]) })),
    fc.tuple(fc.constantFrom(...weakSecrets), fc.webUrl()).map(([secret, url]) => JSON.stringify({ url, secret, graceSeconds: 60 })),
  );
}

/** Bodies with unstorable text in every string field, null or huge flat data. */
function edgeBodies() {
  return fc.oneof(
    fc.record({ tenantId: fc.constant('__tenant__'), type: fc.constant('card.viewed'), data: fc.oneof(unstorable, fc.dictionary(unstorable, unstorable, { maxKeys: 2 }), fc.array(unstorable, { maxLength: 3 })) }).map((v) => JSON.stringify(v)),
    fc.record({ url: fc.oneof(unstorable.map((u) => `http://example.com/${u}`), unstorable), description: unstorable, name: unstorable, id: unstorable }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ id: fc.nat().map((n) => `fuzz-${n}`), name: unstorable }).map((v) => JSON.stringify(v)),
    fc.constant(JSON.stringify({ tenantId: '__tenant__', type: 'card.viewed', data: null })),
    flatArray.map((data) => JSON.stringify({ tenantId: '__tenant__', type: 'card.viewed', data })),
  );
}

const methods = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'GET', 'PATCH', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD');
const request = fc.record({
  method: methods,
  path: paths,
  // 'right' is the token the route wants (admin for tenants and events, else the tenant's key).
  auth: fc.constantFrom('right', 'right', 'right', 'right', 'admin', 'tenant', 'none', 'garbage', 'basic'),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'none', 'application/json\u00e9'),
  extraHeader: fc.option(fc.tuple(fc.constantFrom('x-forwarded-for', 'x-tenant-id', 'content-length-x', 'cookie'), fc.string({ unit: 'grapheme-ascii', maxLength: 60 })), { nil: undefined }),
  body: bodies,
});
type FuzzRequest = typeof request extends fc.Arbitrary<infer R> ? R : never;

/** The edge shapes alone, with the right token, on paths and bodies where they reach the database. */
const edgeRequest = fc.record({
  method: fc.constantFrom('POST', 'POST', 'GET', 'PATCH'), // no DELETE: the endpoint must outlive the run
  path: fc.oneof(
    fc.constantFrom('/v1/tenants', '/v1/events', '/v1/webhooks', '/v1/webhooks/__endpoint__'),
    fc.tuple(fc.constantFrom('/v1/webhooks/', '/v1/deliveries/'), unstorable, fc.constantFrom('', '/rotate-secret', '/test', '/deliveries', '/redeliver')).map(([a, b, c]) => a + b + c),
    edgeCursorQuery.map((q) => `/v1/webhooks/__endpoint__/deliveries${q}`),
  ),
  auth: fc.constant('right' as const),
  contentType: fc.constant('application/json'),
  extraHeader: fc.constant(undefined),
  body: edgeBodies(),
}) as fc.Arbitrary<FuzzRequest>;

const tally = { tried: 0, statuses: new Map<number, number>() };

async function expectNoServerError(r: FuzzRequest): Promise<void> {
  const fill = (s: string) => s.replace(/__endpoint__/g, endpointId).replace(/__delivery__/g, deliveryId).replace(/__tenant__/g, tenant.id);
  const headers = new Headers();
  const right = /^\/v1\/(tenants|events)/.test(r.path) ? 'admin' : 'tenant';
  const auth = { none: null, right: `Bearer ${right === 'admin' ? ADMIN_TOKEN : tenant.apiKey}`, admin: `Bearer ${ADMIN_TOKEN}`, tenant: `Bearer ${tenant.apiKey}`, garbage: 'Bearer \u00ff\u00fe', basic: 'Basic YTpi' }[r.auth];
  if (auth) headers.set('authorization', auth);
  if (r.contentType !== 'none') headers.set('content-type', r.contentType);
  if (r.extraHeader) headers.set(...r.extraHeader);
  const body = r.body === undefined || r.method === 'GET' || r.method === 'HEAD' ? undefined : fill(r.body);
  let url: string;
  try {
    const target = new URL(fill(r.path).replace(/^\/*/, '/'), stack.api.url);
    // A path that starts "/\" parses as another host (and may carry credentials): not a request to this API.
    if (target.origin !== new URL(stack.api.url).origin) return;
    url = target.toString();
  } catch {
    return; // not a request a client could send
  }
  tally.tried += 1;
  const res = await fetch(url, { method: r.method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  expect(res.status < 500 ? 'below 500' : `${res.status} for ${r.method} ${url}: ${text.slice(0, 200)}`).toBe('below 500');
  if (res.status >= 400 && r.method !== 'HEAD') {
    expect(JSON.parse(text)).toEqual({ error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) } });
    // No stack trace and no database error text (the input itself may be echoed, so not SQL words).
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+|PostgresError|syntax error at or near|violates .* constraint|relation "|invalid input syntax/);
  }
}

test(`${RUNS} random requests: never a 5xx, never a hang, always the error shape`, async () => {
  tally.tried = 0;
  tally.statuses.clear();
  await fc.assert(fc.asyncProperty(request, expectNoServerError), { numRuns: RUNS, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: false });
  console.log(`fuzz: ${tally.tried} requests tried; statuses ${JSON.stringify(Object.fromEntries([...tally.statuses].sort()))}`);
  expect(tally.tried).toBeGreaterThan(RUNS * 0.9);
  expect((await fetch(`${stack.api.url}/healthz`)).status).toBe(200);
}, 300_000);

test('NUL, lone surrogates, huge flat arrays and edge-number cursors, in paths and bodies: never a 5xx', async () => {
  tally.tried = 0;
  tally.statuses.clear();
  await fc.assert(fc.asyncProperty(edgeRequest, expectNoServerError), { numRuns: Math.ceil(RUNS / 2), interruptAfterTimeLimit: 120_000, markInterruptAsFailure: false });
  console.log(`fuzz (edge shapes): ${tally.tried} requests tried; statuses ${JSON.stringify(Object.fromEntries([...tally.statuses].sort()))}`);
  expect(tally.tried).toBeGreaterThan(RUNS / 4);
  expect((await fetch(`${stack.api.url}/healthz`)).status).toBe(200);
}, 180_000);
