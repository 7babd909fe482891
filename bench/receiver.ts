import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * When each delivery first arrived, by a key (`<where> <event id>`), for whatever receives them: the
 * HTTP receiver below, or a broker's consumer (broker-sinks.ts).
 */
export class ArrivalLog {
  readonly arrivals = new Map<string, number>();
  private waiters: { n: number; resolve: () => void }[] = [];

  /** Notes an arrival (the first of a key counts) and wakes whoever waits for this many. */
  note(key: string): void {
    if (!this.arrivals.has(key)) this.arrivals.set(key, performance.now());
    this.waiters = this.waiters.filter((w) => (this.arrivals.size >= w.n ? (w.resolve(), false) : true));
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
}

/**
 * Answers 200 at once and notes when each `<path> <event id>` first arrived (the event id from the
 * body: the `webhook-id` header is derived from tenant and event, not the event id itself).
 */
export class BenchReceiver extends ArrivalLog {
  private server?: Server;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.note(`${req.url} ${eventIdOf(Buffer.concat(chunks).toString()) ?? req.headers['webhook-id']}`);
        res.writeHead(200).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function eventIdOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { id?: string }).id;
  } catch {
    return undefined;
  }
}
