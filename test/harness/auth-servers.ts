import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** node:http on 127.0.0.1, its URL, and a close that does not wait for keep-alive connections. */
async function listen(server: Server, path: string): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

export interface CheckingReceiver {
  url: string;
  requests: { headers: IncomingHttpHeaders; body: string; accepted: boolean }[];
  /** Which Authorization values it accepts (answers 401 to any other, or none). */
  accepts: (authorization: string | undefined) => boolean;
  close(): Promise<void>;
}

/** A receiver that checks the Authorization header as a real one would: 200 when it accepts it, else 401. */
export async function startCheckingReceiver(accepts: CheckingReceiver['accepts']): Promise<CheckingReceiver> {
  const receiver = { requests: [], accepts } as unknown as CheckingReceiver;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const accepted = receiver.accepts(req.headers.authorization);
      receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), accepted });
      if (accepted) res.writeHead(200).end('ok');
      else res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end('unauthorized');
    });
  });
  return Object.assign(receiver, await listen(server, '/hook'));
}

export interface TokenServer {
  url: string;
  /** Every token request: its form and whether the client authenticated. */
  requests: { form: URLSearchParams; clientOk: boolean }[];
  /** Tokens issued and still honoured by receivers that ask `valid`. */
  issued: string[];
  expiresIn: number;
  /** What the next requests get instead of a token: a status, or text that is not JSON. */
  /** down: 503; garbage: 200 with HTML; form: 200 with a form-encoded token; endless: 200 with a body that never ends. */
  failNext: ('down' | 'garbage' | 'form' | 'endless')[];
  valid(authorization: string | undefined): boolean;
  revokeAll(): void;
  close(): Promise<void>;
}

/**
 * An OAuth2 token endpoint (client credentials) on 127.0.0.1 that takes the client's id and secret
 * one way only: as HTTP Basic (client_secret_basic), or in the form body (client_secret_post), where
 * an Authorization header as well is refused (RFC 6749 §2.3: one method per request).
 */
export async function startTokenServer(client: { id: string; secret: string }, method: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic'): Promise<TokenServer> {
  const revoked = new Set<string>();
  const ts = { requests: [], issued: [], expiresIn: 3600, failNext: [] } as unknown as TokenServer;
  const expected = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientOk = method === 'client_secret_basic'
        ? req.headers.authorization === expected
        : req.headers.authorization === undefined && form.get('client_id') === client.id && form.get('client_secret') === client.secret;
      ts.requests.push({ form, clientOk });
      const failure = ts.failNext.shift();
      if (failure === 'down') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('token service unavailable');
      if (failure === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login page</html>');
      if (failure === 'form') return void res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end('access_token=form-token-not-to-be-shown&token_type=bearer');
      if (failure === 'endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'x'.repeat(64 * 1024);
        const more = () => { while (!res.destroyed && res.write(chunk)); };
        res.on('drain', more);
        return more();
      }
      if (!clientOk || form.get('grant_type') !== 'client_credentials') {
        return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
      }
      const token = `at-${ts.issued.length + 1}-${Date.now()}`;
      ts.issued.push(token);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: ts.expiresIn, scope: form.get('scope') ?? undefined }));
    });
  });
  Object.assign(ts, {
    valid: (authorization: string | undefined) => {
      const token = authorization?.replace(/^Bearer /, '');
      return Boolean(token && ts.issued.includes(token) && !revoked.has(token));
    },
    revokeAll: () => ts.issued.forEach((t) => revoked.add(t)),
  });
  return Object.assign(ts, await listen(server, '/oauth/token'));
}
