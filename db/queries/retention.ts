import type { Sql, Tx } from '../sql';
import { purgeStats } from './stats';

/**
 * Retention: what the purge deletes, and the per-tenant override. A tenant keeps
 * `coalesce(tenants.retention_days, HOOKLINE_RETENTION_DAYS)` days; 0 keeps forever.
 */

export interface TenantRetention {
  id: string;
  name: string;
  createdAt: Date;
  retentionDays: number | null;
}

/** Null when there is no such tenant. `days` null follows the deployment's default. */
export async function setTenantRetention(sql: Sql, id: string, days: number | null): Promise<TenantRetention | null> {
  const [row] = await sql<TenantRetention[]>`
    update tenants set retention_days = ${days} where id = ${id} returning id, name, created_at, retention_days`;
  return row ?? null;
}

/** The first tenant at or after `from` (in id order) whose rows expire, with its retention. */
export async function nextTenantToPurge(sql: Sql, q: { from: string; inclusive: boolean; defaultDays: number }): Promise<{ id: string; days: number } | null> {
  const [row] = await sql<{ id: string; days: number }[]>`
    select id, coalesce(retention_days, ${q.defaultDays})::int as days from tenants
    where ${q.inclusive ? sql`id >= ${q.from}` : sql`id > ${q.from}`} and coalesce(retention_days, ${q.defaultDays}) > 0
    order by id limit 1`;
  return row ?? null;
}

export interface PurgedCounts {
  deliveries: number;
  attempts: number;
  events: number;
  /** Finished bulk recoveries (their progress rows), by when they finished. */
  recoveries: number;
}

/**
 * Deletes, under the tenant's row-level security, at most `limit` of its deliveries created more than
 * `days` ago that are not pending (a pending one is a delivery still running: its rows stay), with
 * their attempts, then at most `limit` of its events as old that have no delivery left, and as many
 * statistics rollup rows of those days. `more` says a
 * limit was reached. Rows another transaction holds are skipped (the next run takes them).
 */
export async function purgeTenantBatch(tx: Tx, tenantId: string, days: number, limit: number): Promise<PurgedCounts & { more: boolean }> {
  const cutoff = () => tx`now() - make_interval(days => ${days})`;
  const [gone] = await tx<{ deliveries: number; attempts: number }[]>`
    with doomed as (
      select id from deliveries
      where tenant_id = ${tenantId} and created_at < ${cutoff()} and status <> 'pending'
      order by created_at, id limit ${limit} for update skip locked
    ), a as (
      delete from attempts where tenant_id = ${tenantId} and delivery_id in (select id from doomed) returning 1
    ), d as (
      delete from deliveries where tenant_id = ${tenantId} and id in (select id from doomed) returning 1
    )
    select (select count(*) from d)::int as deliveries, (select count(*) from a)::int as attempts`;
  // Locked first, then checked again in a new snapshot: a delivery being added to one of these events
  // (a redelivery) either committed before the lock, and is seen, or waits for this transaction and
  // then fails its foreign key; an event is never deleted under a delivery.
  const candidates = await tx<{ id: string }[]>`
    select e.id from events e
    where e.tenant_id = ${tenantId} and e.created_at < ${cutoff()}
      and not exists (select 1 from deliveries d where d.tenant_id = e.tenant_id and d.event_id = e.id)
    order by e.created_at, e.id limit ${limit} for update skip locked`;
  const events = candidates.length === 0 ? [] : await tx`
    delete from events e where e.tenant_id = ${tenantId} and e.id = any(${candidates.map((c) => c.id)}::text[])
      and not exists (select 1 from deliveries d where d.tenant_id = e.tenant_id and d.event_id = e.id)
    returning 1`;
  // A running recovery's row is its cursor: only finished ones go.
  const [rec] = await tx<{ n: number }[]>`
    with doomed as (
      select id from recoveries where tenant_id = ${tenantId} and status <> 'running' and completed_at < ${cutoff()}
      order by completed_at limit ${limit} for update skip locked
    ), d as (delete from recoveries where tenant_id = ${tenantId} and id in (select id from doomed) returning 1)
    select count(*)::int as n from d`;
  // The statistics rollup of the same days goes too (its rows for these deliveries already count them out).
  const statRows = await purgeStats(tx, tenantId, days, limit);
  return {
    deliveries: gone!.deliveries,
    attempts: gone!.attempts,
    events: events.length,
    recoveries: rec!.n,
    more: gone!.deliveries === limit || candidates.length === limit || rec!.n === limit || statRows === limit,
  };
}
