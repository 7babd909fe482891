import { createServer, type Server } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makeTestPki, type TestPki } from '../../tools/testkit/certificates';
import { expectError } from '../harness/expect-error';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** Mutual TLS end to end: a receiver that demands a client certificate from a CA made in the test. */
let stack: Stack;
let pki: TestPki;
let server: Server;
let url: string;
const seen: { subject: string | null }[] = [];
let handshakes = 0;

beforeAll(async () => {
  pki = makeTestPki();
  stack = await startStack({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' });
  server = createServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({ subject: peer?.subject?.CN ? String(peer.subject.CN) : null });
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
});

type Tenant = Awaited<ReturnType<Stack['newTenant']>>;

async function deliverOne(tenant: Tenant, endpointId: string) {
  const before = (await tenant.api.listDeliveries(endpointId)).data.length;
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const [d] = await waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpointId);
    return data.length > before && data[0]!.status !== 'pending' && data;
  }, { timeoutMs: 60_000, what: 'a settled delivery' });
  return tenant.api.getDelivery(d!.id);
}

test('the receiver refuses a request without a client certificate', async () => {
  const status = await new Promise<number | string>((resolve) => {
    const req = request(url, { method: 'POST', ca: pki.ca.cert }, (res) => resolve(res.statusCode ?? 0));
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    req.end('{}');
  });
  expect(typeof status).toBe('string');
});

test('an endpoint with the client certificate is accepted; its answer shows the subject and expiry, not the key', async () => {
  const tenant = await stack.newTenant('mtls');
  const created = await tenant.api.createWebhook({ url, tls: { clientCertificate: pki.client.cert, clientKey: pki.client.key, caCertificate: pki.ca.cert } });
  expect(created.tls).toMatchObject({ subject: 'CN=hookline-client, O=Hookline Tests', caCertificateSet: true, warning: null });
  expect(new Date(created.tls!.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  expect(JSON.stringify(created)).not.toContain('PRIVATE KEY');
  const [row] = await stack.sql<{ tlsKeyCiphertext: string }[]>`select tls_key_ciphertext from endpoints where id = ${created.id}`;
  expect(row!.tlsKeyCiphertext).toMatch(/^v1\./);

  const delivery = await deliverOne(tenant, created.id);
  expect(delivery.status).toBe('success');
  expect(seen.at(-1)!.subject).toBe('hookline-client');
  // The worker keeps the endpoint's pool: the next send reuses its connection, no new handshake.
  const before = handshakes;
  expect((await deliverOne(tenant, created.id)).status).toBe('success');
  expect(handshakes).toBe(before);

  // Replaced: the next send presents the new certificate (the worker's pool for the old one is dropped).
  const replaced = await tenant.api.updateWebhook(created.id, { tls: { clientCertificate: pki.other.cert, clientKey: pki.other.key, caCertificate: pki.ca.cert } });
  expect(replaced.tls!.subject).toBe('CN=other-client');
  expect((await deliverOne(tenant, created.id)).status).toBe('success');
  expect(seen.at(-1)!.subject).toBe('other-client');

  // Removed: no certificate (and no private CA), so the handshake fails and the delivery fails after its retries.
  const removed = await tenant.api.updateWebhook(created.id, { tls: null });
  expect(removed.tls).toBeNull();
  const failed = await deliverOne(tenant, created.id);
  expect(failed.status).toBe('failed');
  expect(failed.attempts.every((a) => a.responseStatus === null && /connection error/.test(a.error ?? ''))).toBe(true);
});

test('a certificate from a CA the receiver does not trust is refused at the handshake, retried, then failed', async () => {
  const tenant = await stack.newTenant('mtls-stranger');
  const created = await tenant.api.createWebhook({ url, tls: { clientCertificate: pki.stranger.cert, clientKey: pki.stranger.key, caCertificate: pki.ca.cert } });
  const count = seen.length;
  const delivery = await deliverOne(tenant, created.id);
  expect(delivery.status).toBe('failed');
  expect(delivery.attempts).toHaveLength(4);
  expect(seen).toHaveLength(count);
});

test('a certificate that expires within 14 days shows a warning', async () => {
  const tenant = await stack.newTenant('mtls-soon');
  const created = await tenant.api.createWebhook({ url, tls: { clientCertificate: pki.expiringSoon.cert, clientKey: pki.expiringSoon.key, caCertificate: pki.ca.cert } });
  expect(created.tls!.warning).toMatch(/the client certificate expires on .* \(in [45] days\)/);
  expect((await tenant.api.getWebhook(created.id)).tls!.warning).toMatch(/expires on/);
});

describe('bad PEM input is a 400 naming the field', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await stack.newTenant('mtls-400');
  });
  test.each<[string, (p: TestPki) => Record<string, unknown>, RegExp]>([
    ['a certificate that does not parse', (p) => ({ clientCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', clientKey: p.client.key }), /tls\.clientCertificate: is not a PEM certificate/],
    ['a key that does not parse', (p) => ({ clientCertificate: p.client.cert, clientKey: 'garbage' }), /tls\.clientKey: is not an unencrypted PEM private key/],
    ['a key that does not match the certificate', (p) => ({ clientCertificate: p.client.cert, clientKey: p.other.key }), /tls\.clientKey: does not match tls\.clientCertificate/],
    ['a CA that does not parse', (p) => ({ clientCertificate: p.client.cert, clientKey: p.client.key, caCertificate: 'nope' }), /tls\.caCertificate: is not a PEM certificate/],
    ['a missing key', (p) => ({ clientCertificate: p.client.cert }), /tls\.clientKey/],
  ])('%s', async (_what, tls, message) => {
    await expectError(tenant.api.createWebhook({ url, tls: tls(pki) } as never), 400, message);
    // The 400 repeats no key material.
    const err = await tenant.api.createWebhook({ url, tls: tls(pki) } as never).catch((e: Error) => e.message);
    for (const key of [pki.client.key, pki.other.key]) expect(String(err)).not.toContain(key.split('\n')[1]);
  });
});
