import { invalid, notFound } from '../domain/errors';
import { OPERATOR_TENANT_ID } from '../domain/operator';
import { newId } from '../domain/ids';
import { UnknownTenantError } from '../db/queries/events';
import { matchesFilter } from '../domain/event-filter';
import { insertEventWithDeliveries, insertFilteredDeliveries, type PublishRows } from '../db/queries/publish';
import { retryAborted, withTenant, type Sql, type Tx } from '../db/sql';
import { filterCopy, forgetFilterCopy } from './filter-copies';
import { currentTraceparent } from '../infra/tracing';
import type { ServiceDeps } from './deps';

export interface PublishInput {
  tenantId: string;
  type: string;
  data: unknown;
  /** Idempotency key: publishing the same id again for the tenant changes nothing. */
  id?: string;
  /** Endpoints that list channels take the event only when they share one. */
  channels?: string[];
}

export interface PublishOptions {
  /** Only endpoints that name the type, not `*` subscribers (for `webhook.disabled`). */
  explicitOnly?: boolean;
  excludeEndpointId?: string;
}

export interface PublishResult {
  id: string;
  /** False when the id had been published before. */
  created: boolean;
  /** Deliveries started: one per enabled subscriber. */
  deliveries: number;
  /** Deliveries logged as `skipped`: one per disabled subscriber. */
  skipped: number;
}

/** One outbox row starts at most this many delivery workflows, so a huge fan-out is shared among relays. */
export const DELIVERIES_PER_OUTBOX_ROW = 100;

/**
 * Stores the event, a delivery per subscribed endpoint and the outbox rows that start their
 * workflows, in one transaction. Its commit is the promise that the event will be delivered: the
 * relay in the workers starts the workflows from the outbox, whatever crashes after the commit.
 */
export async function publishEvent(deps: ServiceDeps, input: PublishInput, opts: PublishOptions = {}): Promise<PublishResult> {
  const id = input.id ?? newId('evt');
  // The operator's tenant receives only what Hookline reports (db/queries/operator.ts), never a producer's events.
  if (input.tenantId === OPERATOR_TENANT_ID && !opts.explicitOnly) throw invalid('tenantId', `${OPERATOR_TENANT_ID} is reserved for operational webhooks`);
  try {
    const rows: PublishRows = {
      tenantId: input.tenantId,
      id,
      type: input.type,
      data: input.data,
      channels: input.channels ?? [],
      taskQueue: deps.config.temporal.taskQueue,
      explicitOnly: opts.explicitOnly ?? false,
      excludeEndpointId: opts.excludeEndpointId ?? null,
      perOutboxRow: DELIVERIES_PER_OUTBOX_ROW,
      traceparent: currentTraceparent(),
    };
    const stored = await retryAborted(() => withTenant(deps.sql, input.tenantId, (tx) => insertWithFilters(deps.sql, tx, rows)));
    return { id, ...stored };
  } catch (err) {
    if (err instanceof UnknownTenantError) throw notFound('tenant');
    throw err;
  }
}

/**
 * One statement stores the event and the deliveries of every subscribed endpoint whose filter is
 * absent or matched here from the process's copy of the tenant's filters (services/filter-copies.ts).
 * Only when the copy is out of date (the statement finds a subscribed filter it does not name), or a
 * filter reads the event's `createdAt` (known only once the event is stored), does a second statement,
 * in the same transaction, add the deliveries of those whose filter matches the event as the API
 * shows it.
 */
async function insertWithFilters(sql: Sql, tx: Tx, rows: PublishRows): Promise<Omit<PublishResult, 'id'>> {
  const copy = await filterCopy(sql, tx, rows.tenantId);
  // Matched before the event has its createdAt: a filter whose answer could depend on it is left to the second statement.
  const early = (createdAt: string) => ({ id: rows.id, type: rows.type, data: rows.data, channels: rows.channels, createdAt });
  const [before, after] = [early('0000-01-01T00:00:00.000Z'), early('9999-12-31T23:59:59.999Z')];
  const usable = copy
    .filter((f) => !f.readsCreatedAt)
    .map((f) => ({ ...f, matches: matchesFilter(f.filter, before) }))
    .filter((f) => f.matches === matchesFilter(f.filter, after));
  const prematched = { known: usable.map((f) => `${f.id}:${f.version}`), matched: usable.filter((f) => f.matches).map((f) => f.id) };
  const first = await insertEventWithDeliveries(tx, { ...rows, prematched });
  if (first.filtered.length === 0) return { created: first.created, deliveries: first.deliveries, skipped: first.skipped };
  if (usable.length === copy.length) forgetFilterCopy(sql, rows.tenantId);
  const event = { id: rows.id, type: rows.type, data: rows.data, channels: rows.channels, createdAt: first.createdAt!.toISOString() };
  const matched = first.filtered.filter((e) => matchesFilter(e.filter, event)).map((e) => e.id);
  const more = matched.length ? await insertFilteredDeliveries(tx, rows, matched) : { deliveries: 0, skipped: 0 };
  return { created: first.created, deliveries: first.deliveries + more.deliveries, skipped: first.skipped + more.skipped };
}
