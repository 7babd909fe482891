import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createWebhookFetch, TargetRefusedError } from '../../infra/webhook-fetch';
import { startCheckingReceiver, startTokenServer } from '../harness/auth-servers';
import { makeTestPki } from '../../tools/testkit/certificates';
import { startConnectProxy, type ConnectProxy } from '../../tools/testkit/connect-proxy';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** HOOKLINE_EGRESS_PROXY: every delivery and every OAuth2 token request leaves through the proxy. */
let proxy: ConnectProxy;
let stack: Stack;
let receiver: Receiver;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  proxy = await startConnectProxy({ user: 'egress-user', password: 'egress pass/1' });
  stack = await startStack({ HOOKLINE_EGRESS_PROXY: proxy.url, HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' });
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const close of closers) await close();
  await receiver?.close();
  await stack?.stop();
  await proxy?.close();
});

type Tenant = Awaited<ReturnType<Stack['newTenant']>>;

async function settle(tenant: Tenant, endpointId: string, n: number) {
  return waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpointId, { limit: 100 });
    return data.length >= n && data.every((d) => d.status !== 'pending') && data;
  }, { timeoutMs: 60_000, what: `${n} settled deliveries` });
}

test('every delivery goes through the proxy, with its credentials', async () => {
  const tenant = await stack.newTenant('egress');
  const created = await tenant.api.createWebhook({ url: receiver.url });
  for (let i = 0; i < 5; i++) await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });
  const settled = await settle(tenant, created.id, 5);
  expect(settled.every((d) => d.status === 'success')).toBe(true);
  const port = new URL(receiver.url).port;
  expect(proxy.tunnels.length).toBeGreaterThan(0);
  expect(proxy.tunnels.every((t) => t.target === `127.0.0.1:${port}`)).toBe(true);
  expect(proxy.refused).toBe(0);
  // Every request the receiver got came through a tunnel.
  const posts = proxy.plainRequests().filter((line) => line.startsWith('POST /hook'));
  expect(posts).toHaveLength(receiver.requests.length);
  expect(receiver.requests).toHaveLength(5);
});

test('the OAuth2 token request goes through the proxy too', async () => {
  const tenant = await stack.newTenant('egress-oauth');
  const client = { id: 'proxied-client', secret: 'proxied-secret' };
  const tokens = await startTokenServer(client);
  const r = await startCheckingReceiver((a) => tokens.valid(a));
  closers.push(() => tokens.close(), () => r.close());
  const created = await tenant.api.createWebhook({ url: r.url, auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: client.id, clientSecret: client.secret } });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [d] = await settle(tenant, created.id, 1);
  expect(d!.status).toBe('success');
  expect(proxy.tunnels.map((t) => t.target)).toContain(`127.0.0.1:${new URL(tokens.url).port}`);
  expect(proxy.plainRequests()).toContain('POST /oauth/token HTTP/1.1');
});

test('mutual TLS works through the tunnel: the receiver sees the client certificate, the proxy only ciphertext', async () => {
  const pki = makeTestPki();
  const subjects: string[] = [];
  const server: Server = createServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    subjects.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const port = (server.address() as AddressInfo).port;
  const tenant = await stack.newTenant('egress-mtls');
  const created = await tenant.api.createWebhook({ url: `https://127.0.0.1:${port}/hook`, tls: { clientCertificate: pki.client.cert, clientKey: pki.client.key, caCertificate: pki.ca.cert } });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { secret: 'inside-tls' } });
  const [d] = await settle(tenant, created.id, 1);
  expect(d!.status).toBe('success');
  expect(subjects).toEqual(['hookline-client']);
  const tunnel = proxy.tunnels.find((t) => t.target === `127.0.0.1:${port}`)!;
  expect(Buffer.concat(tunnel.sent).toString('latin1')).not.toContain('inside-tls');
});

test('with private targets refused, a name that resolves to one is refused before the proxy is asked', async () => {
  const guarded = createWebhookFetch({ refusePrivateTargets: true, proxy: proxy.url });
  const before = proxy.tunnels.length;
  await expect(guarded(`http://localhost:${new URL(receiver.url).port}/hook`, { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(TargetRefusedError);
  await expect(guarded(`http://127.0.0.1:${new URL(receiver.url).port}/hook`, { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(TargetRefusedError);
  expect(proxy.tunnels.length).toBe(before);
});

test('wrong proxy credentials: the send fails as a connection error and is retried, never sent around the proxy', async () => {
  const wrong = createWebhookFetch({ refusePrivateTargets: false, proxy: proxy.url.replace('egress-user', 'someone-else') });
  const before = receiver.requests.length;
  await expect(wrong(receiver.url, { method: 'POST', body: '{}' })).rejects.toThrow();
  expect(proxy.refused).toBeGreaterThan(0);
  expect(receiver.requests.length).toBe(before);
});
