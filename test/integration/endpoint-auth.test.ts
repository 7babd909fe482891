import { startCheckingReceiver, startTokenServer, type CheckingReceiver } from '../harness/auth-servers';
import { expectError } from '../harness/expect-error';
import type { DeliveryTarget } from '../../db/queries/attempts';
import { authBinding } from '../../domain/endpoint-auth';
import { encryptSecret } from '../../domain/secrets';
import { createWebhookFetch } from '../../infra/webhook-fetch';
import { createHttpDestination } from '../../temporal/activities/deliver/destinations/http';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** Endpoint authentication end to end: basic, bearer and OAuth2 client credentials against real local servers. */
let stack: Stack;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' });
});
afterAll(async () => {
  for (const close of closers) await close();
  await stack?.stop();
});

async function receiver(accepts: CheckingReceiver['accepts']) {
  const r = await startCheckingReceiver(accepts);
  closers.push(() => r.close());
  return r;
}

async function tokenServer(client = { id: 'hookline-client', secret: 'cl1ent-secret-value' }, method?: Parameters<typeof startTokenServer>[1]) {
  const t = await startTokenServer(client, method);
  closers.push(() => t.close());
  return { server: t, client };
}

type Tenant = Awaited<ReturnType<Stack['newTenant']>>;

/** A tenant with an OAuth2 endpoint: the default client at its own token server, a receiver that honours that server's tokens. */
async function oauth2Endpoint(prefix: string) {
  const tenant = await stack.newTenant(prefix);
  const { server, client } = await tokenServer();
  const r = await receiver((a) => server.valid(a));
  const created = await tenant.api.createWebhook({ url: r.url, auth: { type: 'oauth2', tokenUrl: server.url, clientId: client.id, clientSecret: client.secret } });
  return { tenant, server, client, r, created };
}

/** Publishes `n` events to the tenant and waits until each delivery of `endpointId` has settled. */
async function deliver(tenant: Tenant, endpointId: string, n = 1) {
  const before = (await tenant.api.listDeliveries(endpointId)).data.length;
  for (let i = 0; i < n; i++) await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });
  return waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpointId, { limit: 100 });
    return data.length >= before + n && data.every((d) => d.status !== 'pending') && data.slice(0, n);
  }, { timeoutMs: 60_000, what: `${n} settled deliveries` });
}

test('basic auth: the receiver gets the credentials beside the signature; the answer shows the username only', async () => {
  const tenant = await stack.newTenant('basic');
  const expected = `Basic ${Buffer.from('hook-user:pa55-w0rd-basic').toString('base64')}`;
  const r = await receiver((a) => a === expected);
  const created = await tenant.api.createWebhook({ url: r.url, auth: { type: 'basic', username: 'hook-user', password: 'pa55-w0rd-basic' } });
  expect(created.auth).toEqual({ type: 'basic', username: 'hook-user' });
  expect(JSON.stringify(created)).not.toContain('pa55-w0rd-basic');
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  expect(r.requests[0]!.headers['webhook-signature']).toMatch(/^v1,/);

  // A wrong password is a 401: final at once, like any 4xx.
  await tenant.api.updateWebhook(created.id, { auth: { type: 'basic', username: 'hook-user', password: 'wrong' } });
  const [failed] = await deliver(tenant, created.id);
  expect(failed!.status).toBe('failed');
  expect((await tenant.api.getDelivery(failed!.id)).attempts.map((a) => a.responseStatus)).toEqual([401]);
});

test('bearer auth replaces a custom Authorization header and never a signature header', async () => {
  const tenant = await stack.newTenant('bearer');
  const r = await receiver((a) => a === 'Bearer rcv-static-token.123');
  const created = await tenant.api.createWebhook({ url: r.url, headers: { Authorization: 'Bearer old-custom', 'X-Team': 'a' }, auth: { type: 'bearer', token: 'rcv-static-token.123' } });
  expect(created.auth).toEqual({ type: 'bearer' });
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  const seen = r.requests[0]!.headers;
  expect(seen.authorization).toBe('Bearer rcv-static-token.123');
  expect(seen['x-team']).toBe('a');
  expect(seen['webhook-id']).toBeDefined();
  expect(seen['webhook-signature']).toMatch(/^v1,/);

  // PATCH null removes it: the custom header is sent again, and this receiver refuses it.
  const removed = await tenant.api.updateWebhook(created.id, { auth: null });
  expect(removed.auth).toBeNull();
  const [after] = await deliver(tenant, created.id);
  expect(after!.status).toBe('failed');
  expect(r.requests.at(-1)!.headers.authorization).toBe('Bearer old-custom');
});

test('oauth2: N deliveries within the token\'s life cost one token request, shared by concurrent sends', async () => {
  const tenant = await stack.newTenant('oauth');
  const { server, client } = await tokenServer();
  const r = await receiver((a) => server.valid(a));
  const created = await tenant.api.createWebhook({
    url: r.url,
    auth: { type: 'oauth2', tokenUrl: server.url, clientId: client.id, clientSecret: client.secret, scope: 'webhooks:write', audience: 'https://receiver.example' },
  });
  expect(created.auth).toEqual({ type: 'oauth2', tokenUrl: server.url, clientId: client.id, scope: 'webhooks:write', audience: 'https://receiver.example' });
  const delivered = await deliver(tenant, created.id, 8);
  expect(delivered.map((d) => d.status)).toEqual(Array(8).fill('success'));
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]!.clientOk).toBe(true);
  expect(server.requests[0]!.form.get('scope')).toBe('webhooks:write');
  expect(server.requests[0]!.form.get('audience')).toBe('https://receiver.example');
  expect(r.requests.every((q) => q.accepted)).toBe(true);
});

test('oauth2 with clientAuthMethod client_secret_post: the id and secret go in the form body, with no Basic header', async () => {
  const tenant = await stack.newTenant('oauth-post');
  const { server, client } = await tokenServer({ id: 'hookline-post', secret: `post-secret-${Date.now()}` }, 'client_secret_post');
  const r = await receiver((a) => server.valid(a));
  const created = await tenant.api.createWebhook({ url: r.url, auth: { type: 'oauth2', tokenUrl: server.url, clientId: client.id, clientSecret: client.secret, clientAuthMethod: 'client_secret_post' } });
  expect(created.auth).toEqual({ type: 'oauth2', tokenUrl: server.url, clientId: client.id, clientAuthMethod: 'client_secret_post' });
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  expect(server.requests.map((q) => q.clientOk)).toEqual([true]);
  expect(server.requests[0]!.form.get('client_secret')).toBe(client.secret);

  // Back on the default (HTTP Basic), the same token endpoint refuses the client, and every attempt says so.
  const basic = { type: 'oauth2' as const, tokenUrl: server.url, clientId: client.id, clientSecret: client.secret };
  expect((await tenant.api.updateWebhook(created.id, { auth: basic })).auth).toEqual({ type: 'oauth2', tokenUrl: server.url, clientId: client.id });
  const [refused] = await deliver(tenant, created.id);
  expect(refused!.status).toBe('failed');
  const { attempts } = await tenant.api.getDelivery(refused!.id);
  expect(attempts.every((a) => /token endpoint answered 401: \{"error":"invalid_client"\}/.test(a.error ?? ''))).toBe(true);
  expect(server.requests.slice(1).every((q) => !q.clientOk && !q.form.has('client_secret'))).toBe(true);
});

test('oauth2: an expired token is replaced by a new one before it is sent', async () => {
  const { tenant, server, r, created } = await oauth2Endpoint('oauth-exp');
  server.expiresIn = 1;
  await deliver(tenant, created.id);
  await new Promise((resolve) => setTimeout(resolve, 1_200)); // the token's whole life, so the cached one is stale
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  expect(server.requests).toHaveLength(2);
  expect(new Set(r.requests.map((q) => q.headers.authorization)).size).toBe(2);
});

test('oauth2: a 401 from the receiver gets one new token and one resend; a second 401 is a final failure', async () => {
  const { tenant, server, r, created } = await oauth2Endpoint('oauth-401');
  await deliver(tenant, created.id);
  server.revokeAll(); // the receiver no longer honours the cached token
  const [refreshed] = await deliver(tenant, created.id);
  expect(refreshed!.status).toBe('success');
  expect(server.requests).toHaveLength(2);
  expect((await tenant.api.getDelivery(refreshed!.id)).attempts.map((a) => a.responseStatus)).toEqual([200]);

  r.accepts = () => false; // refuses every token
  const [refused] = await deliver(tenant, created.id);
  expect(refused!.status).toBe('failed');
  expect((await tenant.api.getDelivery(refused!.id)).attempts.map((a) => a.responseStatus)).toEqual([401]);
  expect(server.requests).toHaveLength(3);
});

test('oauth2: a 2xx token answer that is not JSON is never quoted (it may hold the token), and one that never ends is read no further than 16 KiB', async () => {
  const { tenant, server, created } = await oauth2Endpoint('oauth-odd');
  server.failNext.push('form', 'endless');
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  const { attempts } = await tenant.api.getDelivery(d!.id);
  expect(attempts.map((a) => a.error)).toEqual([expect.stringMatching(/token endpoint answered 200 with no JSON$/), expect.stringMatching(/token endpoint answered 200 with no JSON$/), null]);
  expect(JSON.stringify(attempts)).not.toContain('form-token-not-to-be-shown');
});

test('oauth2: a token endpoint that is down or answers garbage is retried on the schedule, its answer on the attempt', async () => {
  const { tenant, server, client, r, created } = await oauth2Endpoint('oauth-down');
  server.failNext.push('down', 'garbage');
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('success');
  const { attempts } = await tenant.api.getDelivery(d!.id);
  expect(attempts.map((a) => a.responseStatus)).toEqual([null, null, 200]);
  expect(attempts[0]!.error).toMatch(/token endpoint answered 503: token service unavailable/);
  expect(attempts[1]!.error).toMatch(/token endpoint answered 200 with no JSON/);
  expect(JSON.stringify(attempts)).not.toContain(client.secret);
  expect(r.requests).toHaveLength(1);
});

test('oauth2: a wrong client secret never reaches the receiver; every attempt says what the token endpoint answered', async () => {
  const tenant = await stack.newTenant('oauth-bad');
  const { server, client } = await tokenServer();
  const r = await receiver(() => true);
  const created = await tenant.api.createWebhook({ url: r.url, auth: { type: 'oauth2', tokenUrl: server.url, clientId: client.id, clientSecret: 'not-the-secret' } });
  const [d] = await deliver(tenant, created.id);
  expect(d!.status).toBe('failed');
  const { attempts } = await tenant.api.getDelivery(d!.id);
  expect(attempts).toHaveLength(4);
  expect(attempts.every((a) => /token endpoint answered 401: \{"error":"invalid_client"\}/.test(a.error ?? ''))).toBe(true);
  expect(r.requests).toHaveLength(0);
});

test('with private targets refused (production), a token URL that resolves to one is refused at send time: final, never asked', async () => {
  const { server, client } = await tokenServer();
  const key = Buffer.alloc(32, 3);
  const destination = createHttpDestination(createWebhookFetch({ refusePrivateTargets: true }), { encryptionKey: key, version: 'test' });
  const auth = { type: 'oauth2', tokenUrl: server.url.replace('127.0.0.1', 'localhost'), clientId: client.id, clientSecret: client.secret };
  const target = { url: 'https://93.184.216.34/hook', headers: {}, authCiphertext: encryptSecret(key, JSON.stringify(auth), authBinding('ep_x')), tlsCertificate: null, tlsKeyCiphertext: null } as unknown as DeliveryTarget;
  const sent = await destination.send(target, { deliveryId: 'dlv_x', tenantId: 't', endpointId: 'ep_x', eventType: 'card.viewed', body: '{}', headers: {} }, { timeoutMs: 2_000 });
  expect(sent).toMatchObject({ status: null, refused: true, error: expect.stringMatching(/^no OAuth2 token: target refused: localhost resolves to a private or reserved address/) });
  expect(server.requests).toHaveLength(0);
});

describe('bad input is a 400 naming the field', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await stack.newTenant('auth-400');
  });
  const url = 'http://127.0.0.1:9/hook';
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown auth type', { url, auth: { type: 'digest' } }, /auth\.type/],
    ['basic without a password', { url, auth: { type: 'basic', username: 'u' } }, /auth\.password: is required/],
    ['a bearer token with a line break', { url, auth: { type: 'bearer', token: 'a\r\nb' } }, /auth\.token/],
    ['oauth2 without a token URL', { url, auth: { type: 'oauth2', clientId: 'i', clientSecret: 's' } }, /auth\.tokenUrl: is required/],
    ['an unknown client authentication method', { url, auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/t', clientId: 'i', clientSecret: 's', clientAuthMethod: 'private_key_jwt' } }, /auth\.clientAuthMethod: .*client_secret_basic.*client_secret_post/],
    ['a token URL that is not http(s)', { url, auth: { type: 'oauth2', tokenUrl: 'file:///etc/passwd', clientId: 'i', clientSecret: 's' } }, /auth\.tokenUrl: must use http or https/],
    ['auth on a broker endpoint', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's' }, auth: { type: 'bearer', token: 't' } }, /invalid_request: auth: is only for HTTP endpoints/],
    ['tls on a broker endpoint', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's' }, tls: { clientCertificate: 'x', clientKey: 'y' } }, /invalid_request: tls: is only for HTTP endpoints/],
  ])('%s', async (_what, body, message) => {
    await expectError(tenant.api.createWebhook(body as never), 400, message);
  });

  test('PATCH checks the same way, and a broker endpoint refuses auth', async () => {
    const http = await tenant.api.createWebhook({ url });
    await expectError(tenant.api.updateWebhook(http.id, { auth: { type: 'basic', username: 'a:b', password: 'p' } }), 400, /auth\.username/);
    const redis = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's' } });
    await expectError(tenant.api.updateWebhook(redis.id, { auth: { type: 'bearer', token: 't' } }), 400, /invalid_request: auth: is only for HTTP endpoints/);
  });

  test('in production the token URL must be https and public, as the endpoint URL', async () => {
    const prod = await startStack({ NODE_ENV: 'production', HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' }, { worker: false });
    try {
      const t = await prod.newTenant();
      const auth = (tokenUrl: string) => ({ type: 'oauth2' as const, tokenUrl, clientId: 'i', clientSecret: 's' });
      await expectError(t.api.createWebhook({ url: 'https://93.184.216.34/hook', auth: auth('http://93.184.216.34/token') }), 400, /auth\.tokenUrl: must use https in production/);
      await expectError(t.api.createWebhook({ url: 'https://93.184.216.34/hook', auth: auth('https://10.0.0.5/token') }), 400, /auth\.tokenUrl: .*private or reserved/);
    } finally {
      await prod.stop();
    }
  });
});

test('the OpenAPI document describes auth and tls', async () => {
  const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
  expect(Object.keys(doc.components.schemas.Endpoint!.properties!)).toEqual(expect.arrayContaining(['auth', 'tls']));
  for (const name of ['EndpointAuthInput', 'EndpointTlsInput', 'EndpointAuth', 'EndpointTls']) expect(doc.components.schemas[name]).toBeDefined();
});
