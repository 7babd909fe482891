import net from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';

let stack: Stack;
let tenant: Awaited<ReturnType<Stack['newTenant']>>;
let endpointId: string;
let deliveryId: string;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  tenant = await stack.newTenant();
  endpointId = (await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' })).id;
  deliveryId = (await tenant.api.testWebhook(endpointId)).deliveryId;
});
afterAll(() => stack?.stop());

const errorShape = { error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) } };
const publishBody = (bytes: number) => JSON.stringify({ tenantId: tenant.id, type: 'card.viewed', data: { pad: 'x'.repeat(bytes) } });

describe('a 413 leaves the client’s connection usable', () => {
  test.each([
    ['just over the limit', 300 * 1024],
    ['four times the limit', 1024 * 1024],
    ['of 8 MiB', 8 * 1024 * 1024],
  ])('an undici keep-alive pool of one connection: a publish %s is 413, then the next request on the pool succeeds', async (_, bytes) => {
    const agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    try {
      const big = await undiciFetch(`${stack.api.url}/v1/events`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: publishBody(bytes),
      });
      expect(big.status).toBe(413);
      expect(await big.json()).toEqual({ error: { ...errorShape.error, code: 'payload_too_large', message: expect.stringMatching(/^body: /) } });
      const next = await undiciFetch(`${stack.api.url}/v1/webhooks`, { dispatcher: agent, headers: { authorization: `Bearer ${tenant.apiKey}` } });
      expect(next.status).toBe(200);
      const publish = await undiciFetch(`${stack.api.url}/v1/events`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: publishBody(10),
      });
      expect(publish.status).toBe(202);
    } finally {
      await agent.close();
    }
  });

  test('an unauthenticated publish with a body is 401, and the next request on the pool succeeds', async () => {
    const agent = new Agent({ connections: 1 });
    try {
      const denied = await undiciFetch(`${stack.api.url}/v1/events`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: 'Bearer wrong-token-wrong-token', 'content-type': 'application/json' },
        body: publishBody(200 * 1024),
      });
      expect(denied.status).toBe(401);
      // The server answered before reading the body and may drop the connection once its short
      // drain times out (a loaded machine): it says so, and the pool opens a new one.
      expect(denied.headers.get('connection')).toBe('close');
      await denied.text();
      expect((await undiciFetch(`${stack.api.url}/healthz`, { dispatcher: agent })).status).toBe(200);
    } finally {
      await agent.close();
    }
  });

  test('Node’s global fetch: an oversized publish is 413, and the requests after it on the same pool succeed', async () => {
    for (let i = 0; i < 3; i++) {
      const big = await fetch(`${stack.api.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: publishBody(300 * 1024),
      });
      expect(big.status).toBe(413);
      await big.text();
      expect((await fetch(`${stack.api.url}/healthz`)).status).toBe(200);
    }
  });
});

describe('every route with a body has a limit', () => {
  const over = 'x'.repeat(65 * 1024);
  test.each([
    ['POST', '/v1/tenants', 'admin', () => JSON.stringify({ id: 'big-tenant', name: over })],
    ['POST', '/v1/webhooks', 'tenant', () => JSON.stringify({ url: 'http://example.com/', description: over })],
    ['PATCH', '/v1/webhooks/{endpoint}', 'tenant', () => JSON.stringify({ description: over })],
    ['POST', '/v1/webhooks/{endpoint}/rotate-secret', 'tenant', () => JSON.stringify({ graceSeconds: 1, pad: over })],
    ['POST', '/v1/webhooks/{endpoint}/test', 'tenant', () => JSON.stringify({ pad: over })],
    ['POST', '/v1/deliveries/{delivery}/redeliver', 'tenant', () => JSON.stringify({ pad: over })],
  ])('%s %s over 64 KiB is 413 in the error shape', async (method, path, who, body) => {
    const url = `${stack.api.url}${path.replace('{endpoint}', endpointId).replace('{delivery}', deliveryId)}`;
    const token = who === 'admin' ? ADMIN_TOKEN : tenant.apiKey;
    const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body() });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { ...errorShape.error, code: 'payload_too_large', message: 'body: larger than 65536 bytes' } });
  });

  test.each([['DELETE', '/'], ['PUT', '/healthz'], ['POST', '/v1/no-such-route']])(
    'a large body sent to %s %s, which takes none, is answered 413, not cut off mid-send',
    async (method, path) => {
      const res = await fetch(`${stack.api.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: 'x'.repeat(300 * 1024) });
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
    },
  );

  test('a chunked body (no content-length) over the limit is 413 too', async () => {
    const chunks = [JSON.stringify({ url: 'http://example.com/', description: '' }).slice(0, -2), 'x'.repeat(70 * 1024), '"}'];
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(`${stack.api.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('HTTP edges on a raw socket (issue 22 item 8)', () => {
  /** Writes `parts` to a fresh connection (each awaited, so a reset shows as an error) and returns all the server sent, or the error. */
  async function rawExchange(parts: (string | Buffer)[]): Promise<{ received: string; writeError?: string }> {
    const { hostname, port } = new URL(stack.api.url);
    const socket = net.createConnection({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    let writeError: string | undefined;
    socket.on('error', (e) => (writeError ??= (e as NodeJS.ErrnoException).code ?? e.message));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const part of parts) {
      if (socket.destroyed) break;
      await new Promise<void>((resolve) => socket.write(part, () => resolve()));
    }
    const deadline = setTimeout(() => socket.destroy(), 30_000);
    await closed;
    clearTimeout(deadline);
    return { received: Buffer.concat(received).toString('latin1'), writeError };
  }

  test('a 10 MiB chunked publish gets its 413, not a reset before any answer', async () => {
    const head = `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const body = [Buffer.from(`${(13).toString(16)}\r\n{"tenantId":"\r\n`), ...Array.from({ length: 160 }, () => framed), Buffer.from('0\r\n\r\n')];
    const { received, writeError } = await rawExchange([head, ...body]);
    expect({ status: received.split('\r\n')[0], writeError }).toEqual({ status: 'HTTP/1.1 413 Payload Too Large', writeError: undefined });
  });

  test('a valid publish followed by garbage in the same packet: the publish’s 202 comes first', async () => {
    const json = JSON.stringify({ tenantId: tenant.id, type: 'card.viewed', data: { edge: 'garbage-after' } });
    const publish = `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
    const { received } = await rawExchange([`${publish}\u0001\u0002GARBAGE \x7f\r\n\r\n`]);
    expect(received.split('\r\n')[0]).toBe('HTTP/1.1 202 Accepted');
    expect(received).toMatch(/\{"id":"[^"]+"\}/);
  });
});

describe('security headers', () => {
  const cases: [string, string, RequestInit][] = [
    ['GET', '/healthz', {}],
    ['GET', '/docs', {}],
    ['GET', '/openapi.json', {}],
    ['GET', '/metrics', {}],
    ['GET', '/v1/event-types', {}],
    ['GET', '/v1/webhooks', {}],
    ['GET', '/v1/nowhere', {}],
    ['POST', '/v1/tenants', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"id":' }],
  ];
  test.each(cases)('%s %s carries nosniff, a CSP and frame options', async (method, path, init) => {
    const res = await fetch(`${stack.api.url}${path}`, { method, ...init });
    await res.arrayBuffer();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  test('the docs page’s own script and style are allowed by its CSP, and nothing from elsewhere', async () => {
    const res = await fetch(`${stack.api.url}/docs`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(csp).toMatch(/connect-src 'self'/);
  });

  test('a 401 says how to authenticate: WWW-Authenticate: Bearer', async () => {
    for (const [path, token] of [['/v1/webhooks', undefined], ['/v1/webhooks', 'hk_wrong'], ['/v1/tenants', 'wrong-token']] as const) {
      const res = await fetch(`${stack.api.url}${path}`, {
        method: path === '/v1/tenants' ? 'POST' : 'GET',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        body: path === '/v1/tenants' ? '{"id":"x"}' : undefined,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ error: { ...errorShape.error, code: 'unauthorized' } });
    }
  });
});

test('the OpenAPI document lists 413 on every route with a body, and 429 with Retry-After on test sends and redeliveries', async () => {
  type Op = { requestBody?: unknown; responses: Record<string, { headers?: Record<string, unknown> }> };
  const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Op>> };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })));
  const withBody = ops.filter(({ op }) => op.requestBody);
  expect(withBody.map((o) => o.at).sort()).toEqual(
    expect.arrayContaining(['PATCH /v1/webhooks/{id}', 'POST /v1/events', 'POST /v1/tenants', 'POST /v1/webhooks', 'POST /v1/webhooks/{id}/rotate-secret']),
  );
  for (const { at, op } of withBody) expect([at, Object.keys(op.responses)]).toEqual([at, expect.arrayContaining(['413'])]);
  for (const at of ['POST /v1/webhooks/{id}/test', 'POST /v1/deliveries/{id}/redeliver']) {
    const op = ops.find((o) => o.at === at)!.op;
    expect(op.responses['429']?.headers).toHaveProperty('Retry-After');
  }
});
