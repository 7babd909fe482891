import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Answers 200 at once and notes when each `<path> <event id>` first arrived (the event id from the
 * body: the `webhook-id` header is derived from tenant and event, not the event id itself).
 */
export class BenchReceiver {
  readonly arrivals = new Map<string, number>();
  private server?: Server;
  private waiters: { n: number; resolve: () => void }[] = [];
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = `${req.url} ${eventIdOf(Buffer.concat(chunks).toString()) ?? req.headers['webhook-id']}`;
        if (!this.arrivals.has(key)) this.arrivals.set(key, performance.now());
        res.writeHead(200).end();
        this.waiters = this.waiters.filter((w) => (this.arrivals.size >= w.n ? (w.resolve(), false) : true));
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  reset(): void {
    this.arrivals.clear();
  }

  /** When the last of the deliveries since the last reset arrived (performance.now()). */
  lastArrival(): number {
    let last = 0;
    for (const at of this.arrivals.values()) last = Math.max(last, at);
    return last;
  }

  /** Resolves when `n` distinct deliveries have arrived since the last reset. */
  waitFor(n: number, timeoutMs = 600_000): Promise<void> {
    if (this.arrivals.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.arrivals.size} of ${n} deliveries arrived`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function eventIdOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { id?: string }).id;
  } catch {
    return undefined;
  }
}
