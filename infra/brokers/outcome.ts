/**
 * What one publish to a broker came to, in the broker's own words. `taken` means the broker
 * acknowledged it durably (publisher confirm, JetStream ack, XADD reply); `retry` is worth trying
 * again later (down, timed out, overloaded); `final` will not change by retrying (bad credentials,
 * missing exchange or stream, unroutable).
 */
export type PublishVerdict = 'taken' | 'retry' | 'final';

export interface PublishOutcome {
  verdict: PublishVerdict;
  /** A short stable code (domain/destinations.ts lists them) for the attempt log. */
  code: string;
  /** The broker's words (or the client's), for the attempt log; never credentials. */
  detail: string;
  durationMs: number;
}

export class PublishTimeout extends Error {
  override name = 'PublishTimeout';
}

/** Runs `work` with a deadline; the work itself is not cancelled (its late answer is ignored). */
export async function withDeadline<T>(timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeout(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Network-level failures every client reports alike: all worth a retry. */
export function networkCode(err: unknown): string | null {
  if (err instanceof PublishTimeout) return 'timeout';
  const code = (err as { code?: unknown })?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  return null;
}

export function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 1024);
}
