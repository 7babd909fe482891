import fc from 'fast-check';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';

/**
 * Random requests against the running API: any method, path, auth, content type and body,
 * including unicode, huge and deeply nested JSON, wrong types and injection strings. Every answer
 * must be a 2xx/3xx/4xx in the SPEC error shape, in time, and the process must stay up.
 * HOOKLINE_FUZZ_RUNS sets the number of requests (CI runs the default).
 */
const RUNS = Number(process.env.HOOKLINE_FUZZ_RUNS ?? 400);

let stack: Stack;
let tenant: { id: string; apiKey: string };
let endpointId: string;
let deliveryId: string;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_MAX_PAYLOAD_BYTES: '65536', HOOKLINE_OPEN_EVENT_TYPES: 'true' }, { worker: false });
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
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), nasty);
const id = fc.oneof(text, fc.constant('__endpoint__'), fc.constant('__delivery__'));

const paths = fc.oneof(
  { arbitrary: fc.constantFrom('/v1/tenants', '/v1/events', '/v1/webhooks'), weight: 6 },
  fc.constantFrom('/v1/tenants', '/v1/events', '/v1/event-types', '/v1/webhooks', '/healthz', '/metrics', '/openapi.json', '/docs', '/'),
  { arbitrary: fc.tuple(fc.constantFrom('/v1/webhooks/', '/v1/deliveries/'), id, fc.constantFrom('', '/rotate-secret', '/test', '/deliveries', '/redeliver', '/x')).map(([a, b, c]) => a + b + c), weight: 4 },
  fc.tuple(fc.constant('/v1/webhooks/__endpoint__/deliveries?'), fc.dictionary(fc.constantFrom('status', 'limit', 'cursor', 'x'), text)).map(([p, q]) => p + new URLSearchParams(q)),
  text.map((t) => `/${t}`),
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
);

const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'GET', 'PATCH', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'),
  path: paths,
  // 'right' is the token the route wants (admin for tenants and events, else the tenant's key).
  auth: fc.constantFrom('right', 'right', 'right', 'right', 'admin', 'tenant', 'none', 'garbage', 'basic'),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'none', 'application/json\u00e9'),
  extraHeader: fc.option(fc.tuple(fc.constantFrom('x-forwarded-for', 'x-tenant-id', 'content-length-x', 'cookie'), fc.string({ unit: 'grapheme-ascii', maxLength: 60 })), { nil: undefined }),
  body: bodies,
});

test(`${RUNS} random requests: never a 5xx, never a hang, always the error shape`, async () => {
  let tried = 0;
  const statuses = new Map<number, number>();
  const fill = (s: string) => s.replace(/__endpoint__/g, endpointId).replace(/__delivery__/g, deliveryId).replace(/__tenant__/g, tenant.id);
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers = new Headers();
      const right = /^\/v1\/(tenants|events)/.test(r.path) ? 'admin' : 'tenant';
      const auth = { none: null, right: `Bearer ${right === 'admin' ? ADMIN_TOKEN : tenant.apiKey}`, admin: `Bearer ${ADMIN_TOKEN}`, tenant: `Bearer ${tenant.apiKey}`, garbage: 'Bearer \u00ff\u00fe', basic: 'Basic YTpi' }[r.auth];
      if (auth) headers.set('authorization', auth);
      if (r.contentType !== 'none') headers.set('content-type', r.contentType);
      if (r.extraHeader) headers.set(...r.extraHeader);
      const body = r.body === undefined || r.method === 'GET' || r.method === 'HEAD' ? undefined : fill(r.body);
      let url: string;
      try {
        url = new URL(fill(r.path).replace(/^\/*/, '/'), stack.api.url).toString();
      } catch {
        return; // not a request a client could send
      }
      tried += 1;
      const res = await fetch(url, { method: r.method, headers, body, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400 && r.method !== 'HEAD') {
        expect(JSON.parse(text)).toEqual({ error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) } });
        // No stack trace and no database error text (the input itself may be echoed, so not SQL words).
        expect(text).not.toMatch(/\n\s+at |\.ts:\d+|PostgresError|syntax error at or near|violates .* constraint|relation "|invalid input syntax/);
      }
    }),
    { numRuns: RUNS, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: false },
  );
  console.log(`fuzz: ${tried} requests tried; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  expect(tried).toBeGreaterThan(RUNS * 0.9);
  expect((await fetch(`${stack.api.url}/healthz`)).status).toBe(200);
}, 300_000);
