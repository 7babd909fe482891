import type { AuthView } from '../../domain/endpoint-auth';
import type { Tx } from '../sql';
import { COLUMNS, type EndpointRow } from './endpoints';

/** An endpoint's auth as stored: what answers show, and the whole of it sealed. */
export interface SealedAuth {
  view: AuthView;
  ciphertext: string;
}

/** A client certificate as stored: the PEM certificates in the clear, the key sealed, the facts answers show. */
export interface SealedTls {
  certificate: string;
  caCertificate: string | null;
  keyCiphertext: string;
  subject: string;
  notAfter: Date;
  fingerprint: string;
}

/** undefined leaves a part as it is; null removes it. */
export interface AuthChange {
  auth?: SealedAuth | null;
  tls?: SealedTls | null;
}

/** Sets, replaces or removes an endpoint's auth and client certificate; null when the endpoint is gone. */
export async function saveEndpointAuth(tx: Tx, id: string, change: AuthChange): Promise<EndpointRow | null> {
  const auth = change.auth !== undefined;
  const tls = change.tls !== undefined;
  const [row] = await tx<EndpointRow[]>`
    update endpoints set
      auth = case when ${auth} then ${change.auth ? JSON.stringify(change.auth.view) : null}::text::jsonb else auth end,
      auth_ciphertext = case when ${auth} then ${change.auth?.ciphertext ?? null} else auth_ciphertext end,
      tls_certificate = case when ${tls} then ${change.tls?.certificate ?? null} else tls_certificate end,
      tls_ca_certificate = case when ${tls} then ${change.tls?.caCertificate ?? null} else tls_ca_certificate end,
      tls_key_ciphertext = case when ${tls} then ${change.tls?.keyCiphertext ?? null} else tls_key_ciphertext end,
      tls_subject = case when ${tls} then ${change.tls?.subject ?? null} else tls_subject end,
      tls_not_after = case when ${tls} then ${change.tls?.notAfter ?? null}::timestamptz else tls_not_after end,
      tls_fingerprint = case when ${tls} then ${change.tls?.fingerprint ?? null} else tls_fingerprint end,
      updated_at = now()
    where id = ${id}
    returning ${tx.unsafe(COLUMNS)}`;
  return row ?? null;
}
