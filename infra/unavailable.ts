import { ServiceError } from '@temporalio/client';

// gRPC status codes UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED.
const TRANSIENT_GRPC = new Set<number>([14, 4, 8]);
// postgres.js connection errors, and Postgres' own "shutting down" / "too many connections" codes.
const TRANSIENT_PG = new Set(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03', '53300']);

/** A failure of Temporal or Postgres that a retry can cure: the API answers 503, not 500. */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && TRANSIENT_GRPC.has(code)) return true;
    if (typeof code === 'string' && TRANSIENT_PG.has(code)) return true;
  }
  return false;
}
