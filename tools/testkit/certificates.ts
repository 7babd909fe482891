import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A PEM certificate with its private key. */
export interface Issued {
  cert: string;
  key: string;
}

/** A self-made CA and what it signed: a server certificate for 127.0.0.1/localhost, client certificates. */
export interface TestPki {
  ca: Issued;
  server: Issued;
  client: Issued;
  /** Another client, signed by the same CA (its key does not match `client.cert`). */
  other: Issued;
  /** A client certificate that ends in 5 days. */
  expiringSoon: Issued;
  /** A client certificate from a CA the server does not trust. */
  stranger: Issued;
}

/** Generates a fresh PKI with openssl in a temporary directory (EC P-256 keys: fast). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${name}.key`));
  const selfSigned = (name: string, cn: string) => {
    key(name);
    openssl('req', '-x509', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${cn}`, '-days', '30', '-out', file(`${name}.crt`),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const signed = (name: string, subject: string, ca: string, days: number, ext: string) => {
    key(name);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial',
      '-days', String(days), '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`));
  };
  const read = (name: string): Issued => ({ cert: readFileSync(file(`${name}.crt`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') });
  try {
    selfSigned('ca', 'Hookline Test CA');
    selfSigned('ca2', 'Stranger CA');
    signed('server', '/CN=localhost', 'ca', 30, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    const clientExt = 'extendedKeyUsage=clientAuth\n';
    signed('client', '/CN=hookline-client/O=Hookline Tests', 'ca', 30, clientExt);
    signed('other', '/CN=other-client', 'ca', 30, clientExt);
    signed('soon', '/CN=soon-client', 'ca', 5, clientExt);
    signed('stranger', '/CN=stranger-client', 'ca2', 30, clientExt);
    return { ca: read('ca'), server: read('server'), client: read('client'), other: read('other'), expiringSoon: read('soon'), stranger: read('stranger') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
