import { ServiceError } from '@temporalio/client';

// gRPC status codes UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED.
const TRANSIENT_GRPC = new Set<number>([14, 4, 8]);
// postgres.js's own connection errors and Node's socket errors.
const TRANSIENT_CONNECTION = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
// SQLSTATE classes a retry can cure: 08 connection exception, 53 insufficient resources (disk full,
// out of memory, too many connections), 57P operator intervention (shutdown, crash, starting up).
const TRANSIENT_SQLSTATE = /^(08|53|57P)[0-9A-Z]{2,3}$/;
// A FATAL or PANIC ends the server's session: raised while a connection starts (a full disk's
// XX000 "could not write init file", a missing database) or when the backend dies, never by a
// statement's input (those are ERROR). Whatever its SQLSTATE, Postgres could not serve.
const SESSION_ENDING = new Set(['FATAL', 'PANIC']);

/** A failure of Temporal or Postgres that a retry can cure: the API answers 503, not 500. */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && TRANSIENT_GRPC.has(code)) return true;
    if (typeof code === 'string' && (TRANSIENT_CONNECTION.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    const severity = (e as { severity?: unknown }).severity;
    if (typeof severity === 'string' && SESSION_ENDING.has(severity)) return true;
  }
  return false;
}
