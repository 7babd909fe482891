import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../domain/signing';

export type Mode = 'healthy' | 'flaky';

/**
 * Many endpoints on one HTTP server (`/<endpoint key>`). In `flaky` mode about a third of the
 * requests fail (5xx, 429 with Retry-After, a hang past the sender's timeout, a reset); in
 * `healthy` mode all succeed. Counts, per endpoint and webhook-id, the requests answered 2xx, and
 * checks every signature with the endpoint's secret.
 */
export class ProofReceiver {
  mode: Mode = 'healthy';
  readonly secrets = new Map<string, string>();
  /** `${endpointKey} ${event id from the body}` → times (ms) of each 2xx answer. */
  readonly delivered = new Map<string, number[]>();
  badSignatures = 0;
  /** Requests whose webhook-id differed from the first one seen for the same endpoint and event (it must be stable). */
  webhookIdChanges = 0;
  private readonly webhookIds = new Map<string, string>();
  requests = 0;
  failuresServed = 0;
  private server?: Server;
  private hanging = new Set<ServerResponse>();

  urlFor(base: string, key: string): string {
    return `${base}/${key}`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.url?.slice(1) ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), req.socket, res));
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(key: string, headers: Record<string, string | string[] | undefined>, body: string, socket: import('node:net').Socket, res: ServerResponse) {
    this.requests += 1;
    const secret = this.secrets.get(key);
    if (this.mode === 'flaky') {
      const r = Math.random();
      if (r < 0.3) {
        this.failuresServed += 1;
        if (r < 0.1) return void res.writeHead(503).end('unavailable');
        if (r < 0.16) return void res.writeHead(500).end('boom');
        if (r < 0.2) return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        if (r < 0.25) {
          this.hanging.add(res); // the sender times out
          return void res.once('close', () => this.hanging.delete(res));
        }
        return void socket.destroy(); // connection reset
      }
    }
    try {
      if (!secret) throw new Error('unknown endpoint');
      verifyWebhook(secret, headers, body);
    } catch {
      this.badSignatures += 1;
      return void res.writeHead(400).end('bad signature');
    }
    // The event id from the body: webhook-id is per (tenant, event), not the event id itself.
    const id = String((JSON.parse(body) as { id?: unknown }).id);
    const k = `${key} ${id}`;
    const webhookId = String(headers['webhook-id']);
    const firstWebhookId = this.webhookIds.get(k);
    if (firstWebhookId === undefined) this.webhookIds.set(k, webhookId);
    else if (firstWebhookId !== webhookId) this.webhookIdChanges += 1;
    const times = this.delivered.get(k) ?? [];
    times.push(Date.now());
    this.delivered.set(k, times);
    res.writeHead(200).end('ok');
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
