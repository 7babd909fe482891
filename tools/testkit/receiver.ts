import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait';

export interface Received {
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = number | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang' | 'reset';
/** A reply decided when the request arrives, after whatever the test does first (e.g. stop a dependency). */
export type ScriptedReply = Reply | ((request: Received) => Promise<Reply>);

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as scripted. */
export interface Receiver {
  url: string;
  requests: Received[];
  /** Replies for the next requests, in order; after them, `fallback`. */
  script(...replies: ScriptedReply[]): void;
  fallback: Reply;
  waitForRequests(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(fallback: Reply = 200): Promise<Receiver> {
  const queue: ScriptedReply[] = [];
  const requests: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver = {} as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(request);
      const next = queue.length ? queue.shift()! : receiver.fallback;
      const reply = typeof next === 'function' ? await next(request) : next;
      if (reply === 'hang') return void hanging.add(res);
      if (reply === 'reset') return void req.socket.destroy();
      const r = typeof reply === 'number' ? { status: reply } : reply;
      const send = () => res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers }).end(r.body ?? `status ${r.status}`);
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    fallback,
    script: (...replies: ScriptedReply[]) => void queue.push(...replies),
    waitForRequests: (n: number, timeoutMs = 30_000) =>
      waitFor(() => requests.length >= n && requests.slice(0, n), { timeoutMs, what: `${n} requests at the receiver (got ${requests.length})` }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return receiver;
}
