import { Connection } from '@temporalio/client';
import { msToTs, type Duration } from '@temporalio/common/lib/time';

/** temporal.api.enums.v1.IndexedValueType, by the names `temporal operator search-attribute create --type` takes. */
const INDEXED_VALUE_TYPES = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 } as const;
export type SearchAttributeTypeName = keyof typeof INDEXED_VALUE_TYPES;

/**
 * system.namespaceCacheRefreshInterval (default 2 s). New search attributes are usable once every
 * service's namespace cache has them: the frontend's (client starts) can be probed with a query,
 * history's (child workflows and upserts, e.g. the endpoint workflow's test deliveries) cannot,
 * so it gets one interval more.
 */
const NAMESPACE_CACHE_REFRESH_MS = 2_000;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

export interface NamespaceSetup {
  namespace: string;
  /** `72h`, `3d`, ... */
  retention: Duration;
  searchAttributes: Record<string, SearchAttributeTypeName>;
}

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Thrown inside `until` to stop retrying. */
class SetupError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `attempt` until it returns, the deadline passes, or `failed()` names a reason to stop (the server exited). */
async function until<T>(what: string, deadline: number, failed: () => string | undefined, attempt: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(`Temporal server ${reason} while waiting for ${what}`);
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof SetupError) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(lastError)}`);
    await sleep(200);
  }
}

/**
 * Connects once the frontend serves requests. No retry interceptor: this loop is the retry, and
 * the SDK's default backoff would only slow down noticing that the server is up.
 */
export function connectWhenUp(address: string, deadline: number, failed: () => string | undefined): Promise<Connection> {
  return until('the frontend', deadline, failed, async () => {
    const connection = await Connection.connect({ address, connectTimeout: 1_000, interceptors: [] });
    try {
      await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
      return connection;
    } catch (err) {
      await connection.close();
      throw err;
    }
  });
}

/** What auto-setup does with `temporal operator namespace create` and `search-attribute create`, idempotently. */
export async function setUpNamespace(
  connection: Connection,
  setup: NamespaceSetup,
  deadline: number,
  failed: () => string | undefined,
): Promise<void> {
  const { namespace } = setup;
  const service = connection.workflowService;
  await until(`namespace ${namespace}`, deadline, failed, async () => {
    try {
      await service.describeNamespace({ namespace });
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND) throw err;
      try {
        await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(setup.retention) });
      } catch (e) {
        if (grpcCode(e) !== ALREADY_EXISTS) throw e;
      }
      await service.describeNamespace({ namespace });
    }
  });
  let added = false;
  await until(`search attributes of ${namespace}`, deadline, failed, async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing: Record<string, number> = {};
    for (const [name, type] of Object.entries(setup.searchAttributes)) {
      const have = customAttributes?.[name];
      if (have === undefined || have === null) missing[name] = INDEXED_VALUE_TYPES[type];
      else if (have !== INDEXED_VALUE_TYPES[type]) throw new SetupError(`search attribute ${name} exists with another type (${have})`);
    }
    if (Object.keys(missing).length === 0) return;
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
    added = true;
    throw new Error(`added ${Object.keys(missing).join(', ')}; checking they are listed`);
  });
  if (!added) return;
  // Listed is not usable yet: starts are checked against each service's namespace cache.
  const query = Object.keys(setup.searchAttributes).map((name) => `${name} IS NULL`).join(' AND ');
  await until(`search attributes usable in ${namespace}`, deadline, failed, () => service.countWorkflowExecutions({ namespace, query }));
  await sleep(NAMESPACE_CACHE_REFRESH_MS);
}

/**
 * The frontend answers before the history shards are owned; a lookup of a workflow that does
 * not exist is answered by history, so NOT_FOUND means the first real request will not stall.
 */
export async function waitForHistory(connection: Connection, namespace: string, deadline: number, failed: () => string | undefined): Promise<void> {
  await until('the history service', deadline, failed, async () => {
    try {
      await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'hookline-readiness-probe' } });
    } catch (err) {
      if (grpcCode(err) === NOT_FOUND) return;
      throw err;
    }
  });
}
