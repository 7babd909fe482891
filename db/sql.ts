import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, unknown>>;
export type Tx = postgres.TransactionSql<Record<string, unknown>>;

/**
 * Seconds to open a connection (TCP and the startup handshake). Well under the activities' 30 s
 * start-to-close timeout: with Postgres unreachable (a port that drops packets) an attempt fails and
 * retries on its own terms instead of outliving its server-side timeout, which Temporal would time
 * out and retry while the first try still runs ("Activity not found on completion" when it ends).
 */
export const CONNECT_TIMEOUT_SECONDS = 10;

/** The one database client: camelCase rows, quiet notices. */
export function createSql(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    onnotice: () => {},
    transform: postgres.camel,
    connection: { application_name: 'hookline' },
  });
}

/**
 * How long a tenant transaction may sit idle between its statements before Postgres ends its session.
 * These transactions only run statements back to back; one that goes quiet belongs to a process that
 * froze (SIGSTOP, a paused VM, a stalled event loop) while holding row locks, such as an endpoint's
 * rate-limit row or its statistics rows, that every other worker's sends to that endpoint wait on.
 */
const TENANT_TRANSACTION_IDLE_LIMIT = '5s';

/**
 * Runs `fn` in a transaction with the tenant set, so row-level security confines every statement
 * to that tenant even where a query forgets its WHERE. The app logs in as `hookline_app` already;
 * the role is set too for a connection that logs in as the owner (PGlite's single user, a test).
 * `fn` must only run statements: the session is ended if it idles TENANT_TRANSACTION_IDLE_LIMIT.
 */
export function withTenant<T>(sql: Sql, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    // Sent, not awaited: it goes out in one write with fn's first statement and runs before it on the
    // connection, so setting the tenant costs no round trip of its own. Should it fail, fn's
    // statements fail with it and the transaction rolls back with its error.
    const scoped = tx`select set_config('role', 'hookline_app', true), set_config('hookline.tenant_id', ${tenantId}, true),
      set_config('idle_in_transaction_session_timeout', ${TENANT_TRANSACTION_IDLE_LIMIT}, true)`.execute();
    const result = await fn(tx);
    await scoped;
    return result;
  }) as Promise<T>;
}

/** Postgres ends one transaction of a deadlock (40P01) or a serialization conflict (40001) so the others go on: that one may simply run again. */
const ABORTED_TO_LET_OTHERS_THROUGH = new Set(['40P01', '40001']);
const TRANSACTION_TRIES = 3;

/** A transaction Postgres aborted to break a deadlock or a serialization conflict: running it again can succeed. */
export function isAbortedToLetOthersThrough(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ABORTED_TO_LET_OTHERS_THROUGH.has(code);
}

/**
 * Runs `transaction` (which must only run statements, as `withTenant`'s `fn`) again when Postgres
 * aborted it to break a deadlock or a serialization conflict, up to TRANSACTION_TRIES times in all.
 * Concurrent publishes, attempts and rate-limit reservations lock the same endpoint row in orders no
 * one statement controls; the one Postgres picks must not become an error for its caller.
 */
export async function retryAborted<T>(transaction: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await transaction();
    } catch (err) {
      if (tries >= TRANSACTION_TRIES || !isAbortedToLetOthersThrough(err)) throw err;
    }
  }
}
