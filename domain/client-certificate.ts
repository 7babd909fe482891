import { textProblem } from './json-depth';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * Mutual TLS to an HTTP receiver: a client certificate and its key (PEM), and optionally a CA to
 * trust for the receiver's own certificate. Checked here (a problem names the field); the key is
 * sealed by the service, the certificate's subject and expiry are what answers show.
 */
export interface ClientTlsInput {
  clientCertificate: string;
  clientKey: string;
  caCertificate?: string;
}

export interface CertificateFacts {
  subject: string;
  notAfter: Date;
  /** SHA-256 of the DER certificate, hex with colons (as openssl prints it). */
  fingerprint: string;
}

export type Problem = [field: string, message: string];

/** Certificates closer than this to their end show a warning. */
export const EXPIRY_WARNING_DAYS = 14;
const MAX_PEM = 64 * 1024;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificates(pem: string): X509Certificate[] | null {
  const blocks = pem.match(PEM_CERT);
  if (!blocks) return null;
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return null;
  }
}

function privateKey(pem: string): KeyObject | null {
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) return null;
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return null;
  }
}

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  return { subject: cert.subject.split('\n').join(', '), notAfter: new Date(cert.validTo), fingerprint: cert.fingerprint256 };
}

/** Checks `raw` as mutual-TLS input: the facts of its certificate, or the problem naming the field. */
export function parseClientTls(raw: unknown, now = new Date()): { tls: ClientTlsInput; facts: CertificateFacts } | { problem: Problem } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: ['tls', 'must be an object { clientCertificate, clientKey, caCertificate? }, or null'] };
  const t = raw as Record<string, unknown>;
  const unknown = Object.keys(t).find((k) => !['clientCertificate', 'clientKey', 'caCertificate'].includes(k));
  if (unknown) return { problem: [`tls.${unknown}`, 'is not a field of tls (clientCertificate, clientKey, caCertificate)'] };
  for (const field of ['clientCertificate', 'clientKey', 'caCertificate'] as const) {
    const v = t[field];
    if (v === undefined && field === 'caCertificate') continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PEM) return { problem: [`tls.${field}`, `must be PEM text of at most ${MAX_PEM} characters`] };
    const unstorable = textProblem(v);
    if (unstorable) return { problem: [`tls.${field}`, unstorable] };
  }
  const chain = certificates(t.clientCertificate as string);
  if (!chain) return { problem: ['tls.clientCertificate', 'is not a PEM certificate (-----BEGIN CERTIFICATE-----)'] };
  const key = privateKey(t.clientKey as string);
  if (!key) return { problem: ['tls.clientKey', 'is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)'] };
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) return { problem: ['tls.clientKey', 'does not match tls.clientCertificate'] };
  const facts = certificateFacts(leaf);
  if (facts.notAfter.getTime() <= now.getTime()) return { problem: ['tls.clientCertificate', `has expired (${facts.notAfter.toISOString()})`] };
  if (t.caCertificate !== undefined && !certificates(t.caCertificate as string)) return { problem: ['tls.caCertificate', 'is not a PEM certificate (-----BEGIN CERTIFICATE-----)'] };
  return { tls: { clientCertificate: t.clientCertificate as string, clientKey: t.clientKey as string, ...(t.caCertificate ? { caCertificate: t.caCertificate as string } : {}) }, facts };
}

/** The warning an endpoint shows when its client certificate ends within EXPIRY_WARNING_DAYS (or has ended); null otherwise. */
export function certificateWarning(notAfter: Date, now = new Date()): string | null {
  const leftMs = notAfter.getTime() - now.getTime();
  const day = 86_400_000;
  if (leftMs <= 0) return `the client certificate expired on ${notAfter.toISOString()}: deliveries fail until tls is replaced`;
  if (leftMs > EXPIRY_WARNING_DAYS * day) return null;
  const days = Math.floor(leftMs / day);
  return `the client certificate expires on ${notAfter.toISOString()} (${days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`}): replace tls before then`;
}

/** What the sealed private key is bound to (AES-GCM associated data). */
export function tlsKeyBinding(endpointId: string): string {
  return `${endpointId}:tls-key`;
}
