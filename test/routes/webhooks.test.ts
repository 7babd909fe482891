import { expectFieldError, useApp } from '../harness/use-app';

const env = useApp({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '2' });

const create = (token: string, body: unknown) => env.call('POST', '/v1/webhooks', { token, body });

describe('happy path', () => {
  test('an endpoint is created with its secret shown once, then read, changed and deleted', async () => {
    const { apiKey } = await env.newTenant();
    const created = await create(apiKey, { url: 'http://receiver.example/hook', events: ['card.viewed'], rateLimit: 5, ordering: 'fifo' });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string; secret: string };
    expect(endpoint).toMatchObject({ url: 'http://receiver.example/hook', rateLimit: 5, ordering: 'fifo', secret: expect.stringMatching(/^whsec_/) });
    const read = await env.call('GET', `/v1/webhooks/${endpoint.id}`, { token: apiKey });
    expect(await read.text()).not.toContain(endpoint.secret);
    const patched = await env.call('PATCH', `/v1/webhooks/${endpoint.id}`, { token: apiKey, body: { description: 'cards', rateLimit: null } });
    expect(await patched.json()).toMatchObject({ description: 'cards', rateLimit: null });
    expect((await env.call('DELETE', `/v1/webhooks/${endpoint.id}`, { token: apiKey })).status).toBe(204);
    expect((await env.call('GET', `/v1/webhooks/${endpoint.id}`, { token: apiKey })).status).toBe(404);
  });

  test('a v1a endpoint answers its public key and no secret', async () => {
    const { apiKey } = await env.newTenant();
    const created = (await (await create(apiKey, { url: 'http://receiver.example/hook', signatureScheme: 'v1a' })).json()) as { id: string };
    expect(created).toMatchObject({ signatureScheme: 'v1a', publicKey: expect.stringMatching(/^whpk_/) });
    expect(created).not.toHaveProperty('secret');
    const key = await env.call('GET', `/v1/webhooks/${created.id}/public-key`, { token: apiKey });
    expect(await key.json()).toMatchObject({ signatureScheme: 'v1a' });
  });
});

describe('errors', () => {
  test.each([
    [{ url: 'ftp://x.example' }, /^url: must use http or https/],
    [{ url: 'nope' }, /^url:/],
    [{ url: 'http://x.example', events: [] }, /^events:/],
    [{ url: 'http://x.example', events: ['nope.nope'] }, /^events: unknown event type/],
    [{ url: 'http://x.example', secret: 'mine' }, /^secret: must start with whsec_/],
    [{ url: 'http://x.example', colour: 'red' }, /colour: unknown field/],
    [{ url: 'http://x.example', headers: { Host: 'x' } }, /^headers\.Host/i],
    [{ url: 'http://x.example', rateLimit: 0 }, /^rateLimit:/],
    [{ url: 'http://x.example', ordering: 'random' }, /^ordering:/],
    [{ url: 'http://x.example', maxInFlight: 0 }, /^maxInFlight:/],
  ])('POST /v1/webhooks %j is a 400 naming the field', async (body, field) => {
    const { apiKey } = await env.newTenant();
    await expectFieldError(await create(apiKey, body), 400, field);
  });

  test('limit outside 1..100 on the delivery log is a 400 naming limit', async () => {
    const { apiKey } = await env.newTenant();
    for (const limit of [0, 101]) await expectFieldError(await env.call('GET', `/v1/webhooks/ep_x/deliveries?limit=${limit}`, { token: apiKey }), 400, /limit/);
  });

  test('an endpoint over HOOKLINE_MAX_ENDPOINTS_PER_TENANT is a 409', async () => {
    const { apiKey } = await env.newTenant();
    for (let i = 0; i < 2; i++) expect((await create(apiKey, { url: `http://x.example/${i}` })).status).toBe(201);
    expect((await create(apiKey, { url: 'http://x.example/3' })).status).toBe(409);
  });

  test('a v1 endpoint has no public key: 409', async () => {
    const { apiKey } = await env.newTenant();
    const { id } = (await (await create(apiKey, { url: 'http://x.example' })).json()) as { id: string };
    expect((await env.call('GET', `/v1/webhooks/${id}/public-key`, { token: apiKey })).status).toBe(409);
  });

  test('a recovery without since is a 400 naming since', async () => {
    const { apiKey } = await env.newTenant();
    const { id } = (await (await create(apiKey, { url: 'http://x.example' })).json()) as { id: string };
    await expectFieldError(await env.call('POST', `/v1/webhooks/${id}/recover`, { token: apiKey, body: {} }), 400, /^since:/);
  });
});

describe('security', () => {
  test('no key, an unknown key and the admin token are each a 401', async () => {
    for (const token of [undefined, 'hk_nope', 'test-admin-token-0123456789']) {
      expect((await env.call('GET', '/v1/webhooks', { token })).status).toBe(401);
    }
  });

  test("another tenant's endpoint is a 404 for every route, as a missing one is", async () => {
    const a = await env.newTenant();
    const b = await env.newTenant();
    const { id } = (await (await create(a.apiKey, { url: 'http://x.example' })).json()) as { id: string };
    for (const [method, path, body] of [
      ['GET', `/v1/webhooks/${id}`],
      ['PATCH', `/v1/webhooks/${id}`, { description: 'mine now' }],
      ['DELETE', `/v1/webhooks/${id}`],
      ['POST', `/v1/webhooks/${id}/rotate-secret`, {}],
      ['GET', `/v1/webhooks/${id}/deliveries`],
      ['POST', `/v1/webhooks/${id}/recover`, { since: '2026-01-01T00:00:00Z' }],
    ] as const) {
      expect([method, path, (await env.call(method, path, { token: b.apiKey, body })).status]).toEqual([method, path, 404]);
    }
    expect((await env.call('GET', `/v1/webhooks/${id}`, { token: a.apiKey })).status).toBe(200);
  });

  test('a listed endpoint never carries its secret', async () => {
    const { apiKey } = await env.newTenant();
    const { secret } = (await (await create(apiKey, { url: 'http://x.example' })).json()) as { secret: string };
    expect(await (await env.call('GET', '/v1/webhooks', { token: apiKey })).text()).not.toContain(secret);
  });
});
