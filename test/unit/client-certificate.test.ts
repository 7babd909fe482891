import { certificateWarning, parseClientTls } from '../../domain/client-certificate';
import { makeTestPki, type TestPki } from '../../tools/testkit/certificates';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

test('a client certificate with its key is read: subject, expiry and fingerprint', () => {
  const parsed = parseClientTls({ clientCertificate: pki.client.cert, clientKey: pki.client.key, caCertificate: pki.ca.cert });
  if ('problem' in parsed) throw new Error(parsed.problem.join(': '));
  expect(parsed.facts.subject).toBe('CN=hookline-client, O=Hookline Tests');
  expect(parsed.facts.notAfter.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  expect(parsed.facts.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test.each<[string, (p: TestPki) => unknown, string, RegExp]>([
  ['not an object', () => 'pem', 'tls', /must be an object/],
  ['an unknown field', (p) => ({ clientCertificate: p.client.cert, clientKey: p.client.key, passphrase: 'x' }), 'tls.passphrase', /not a field/],
  ['no key', (p) => ({ clientCertificate: p.client.cert }), 'tls.clientKey', /PEM text/],
  ['a certificate that does not parse', (p) => ({ clientCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', clientKey: p.client.key }), 'tls.clientCertificate', /not a PEM certificate/],
  ['a key given as the certificate', (p) => ({ clientCertificate: p.client.key, clientKey: p.client.key }), 'tls.clientCertificate', /not a PEM certificate/],
  ['a key that does not parse', (p) => ({ clientCertificate: p.client.cert, clientKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }), 'tls.clientKey', /not an unencrypted PEM private key/],
  ['a key of another certificate', (p) => ({ clientCertificate: p.client.cert, clientKey: p.other.key }), 'tls.clientKey', /does not match/],
  ['a CA that does not parse', (p) => ({ clientCertificate: p.client.cert, clientKey: p.client.key, caCertificate: 'not pem' }), 'tls.caCertificate', /not a PEM certificate/],
])('%s is refused, naming the field', (_what, input, field, message) => {
  const parsed = parseClientTls(input(pki));
  expect('problem' in parsed && parsed.problem[0]).toBe(field);
  expect('problem' in parsed && parsed.problem[1]).toMatch(message);
});

test('an expired certificate is refused', () => {
  const later = new Date(Date.now() + 40 * 86_400_000);
  const parsed = parseClientTls({ clientCertificate: pki.client.cert, clientKey: pki.client.key }, later);
  expect('problem' in parsed && parsed.problem).toEqual(['tls.clientCertificate', expect.stringMatching(/^has expired/)]);
});

test('a warning shows from 14 days before the end, and after it', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000);
  expect(certificateWarning(at(15), now)).toBeNull();
  expect(certificateWarning(at(14), now)).toMatch(/expires on 2026-01-15T00:00:00.000Z \(in 14 days\)/);
  expect(certificateWarning(at(1.5), now)).toMatch(/in 1 day\)/);
  expect(certificateWarning(at(0.2), now)).toMatch(/within a day/);
  expect(certificateWarning(at(-1), now)).toMatch(/expired on/);
});
