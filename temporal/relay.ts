import type { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { endpointOrderings } from '../db/queries/flow';
import { fairnessWeights } from '../db/queries/tenant-settings';
import { claimDue, deferFailed, removeDone, type ClaimRoom, type OutboxRow } from '../db/queries/outbox';
import type { Sql } from '../db/sql';
import { dispatchRows, endpointIdsOf, startsWorkflow } from './relay-dispatch';
import { ADMITTED_FOR_MS, type SendGate } from './activities/deliver/send-gate';

export interface RelayDeps {
  sql: Sql;
  client: Client;
  taskQueue: string;
  localSend: boolean;
  /** HOOKLINE_LOCAL_FIRST_ATTEMPT (temporal/workflows/delivery.ts). */
  localFirst?: boolean;
  log: Logger;
  metrics: Metrics;
  /**
   * The worker's send gate: the relay claims no more of a tenant's deliveries than its share of the
   * worker's sends has room for, and looks again when a full share frees a slot. Without it, a
   * tenant's flood becomes workflows at once, whose sends over the share are refused and retried.
   */
  sendGate?: SendGate;
}

export interface RelayOptions {
  /** Outbox rows claimed per transaction. */
  batchSize?: number;
  /** How often to look without a notification while LISTEN works (deferred rows, a notification lost in a reconnect). */
  sweepMs?: number;
  /** How often to look without LISTEN, and while rows put back after a failed call are waiting. */
  fastSweepMs?: number;
  /** Temporal calls in flight at once. */
  concurrency?: number;
  /** A claimed batch that takes longer is put back for another try (its calls are idempotent). */
  batchTimeoutMs?: number;
}

export interface Relay {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Counts the deliveries this batch starts against their rooms until their first attempts ask the gate
 * or end without sending (a rate slot, an open circuit): a claim made meanwhile (the relay claims
 * again at once after a non-empty batch) would otherwise see the room they are about to take. Counted before the starts, so an eager first attempt never asks
 * before its admission is there. Returns whether any was counted (the relay then looks again when
 * the admissions lapse).
 */
function admitStarts(gate: SendGate, rows: OutboxRow[], live: Set<string>, fifo: Set<string>): boolean {
  let any = false;
  for (const row of rows) {
    if (row.kind !== 'deliver') continue;
    for (const d of row.payload.deliveries) {
      if (!startsWorkflow(d, live, fifo)) continue;
      gate.admit(row.tenantId, d.endpointId, d.id);
      any = true;
    }
  }
  return any;
}

/**
 * Whether the claim may have held due rows back for room: some tenant or endpoint had none left when
 * it was made, or it took as many deliveries of one as its room allowed. Otherwise a claim short of
 * the batch size took every due row there was (an endpoint whose own maxInFlight this worker has not
 * learnt yet is the exception: its sends, once they ask, end with its lane full and wake the relay).
 */
export function mayHaveHeldRows(rows: OutboxRow[], room: ClaimRoom, endpointCap: (endpointId: string) => number): boolean {
  if ([...room.room.values()].some((left) => left <= 0)) return true;
  if ([...room.endpointBusy].some(([endpointId, busy]) => busy >= endpointCap(endpointId))) return true;
  const tenants = new Map<string, number>();
  const endpoints = new Map<string, number>();
  for (const row of rows) {
    if (row.kind !== 'deliver') continue;
    const { deliveries } = row.payload;
    tenants.set(row.tenantId, (tenants.get(row.tenantId) ?? 0) + deliveries.length);
    if (deliveries.length === 1) endpoints.set(deliveries[0]!.endpointId, (endpoints.get(deliveries[0]!.endpointId) ?? 0) + 1);
  }
  for (const [tenantId, n] of tenants) if (n >= Math.min(room.perTenant, room.room.get(tenantId) ?? room.perTenant)) return true;
  for (const [endpointId, n] of endpoints) if (n >= endpointCap(endpointId) - (room.endpointBusy.get(endpointId) ?? 0)) return true;
  return false;
}

/**
 * Carries the outbox to Temporal: woken by NOTIFY from the committing transaction, it claims due
 * rows with FOR UPDATE SKIP LOCKED (so any number of workers share them), makes their calls
 * (deterministic workflow ids: a repeat is a no-op) and deletes them in the same transaction.
 * A crash anywhere leaves the rows to the next claim.
 */
export function startRelay(deps: RelayDeps, opts: RelayOptions = {}): Relay {
  const batchSize = opts.batchSize ?? 100;
  // Every look is a claim query on every worker: with notifications working, one every few seconds
  // is enough to pick up what they cannot announce.
  const sweepMs = opts.sweepMs ?? 5_000;
  const fastSweepMs = opts.fastSweepMs ?? 1_000;
  let listened = false;
  let deferred = false;
  const concurrency = opts.concurrency ?? 64;
  const batchTimeoutMs = opts.batchTimeoutMs ?? 15_000;
  let running = true;
  let wake: (() => void) | undefined;
  let poked = false;
  const poke = () => {
    poked = true;
    wake?.();
  };
  // A tenant's held rows are claimed as soon as a send of its full share ends here.
  const unsubscribe = deps.sendGate?.onTenantFreed(poke);
  const listening = deps.sql
    .listen('hookline_outbox', poke, () => {
      listened = true;
      poke();
    })
    .catch((err: unknown) => {
      deps.log.warn({ err: { message: (err as Error).message } }, `outbox: no LISTEN, sweeping every ${fastSweepMs} ms`);
      return undefined;
    });

  /** Claims and carries one batch; true when due rows may be left (a full batch, or rows held for room). */
  async function relayBatch(): Promise<boolean> {
    return deps.sql.begin(async (tx) => {
      const gate = deps.sendGate;
      const room: ClaimRoom | undefined = gate && { perTenant: gate.perTenant, room: gate.tenantRoom(), perEndpoint: gate.perEndpoint, endpointBusy: gate.endpointBusy() };
      const rows = await claimDue(tx, deps.taskQueue, batchSize, room);
      deps.metrics.outboxClaims.inc({ found: rows.length ? 'rows' : 'none' });
      if (rows.length === 0) return false;
      // Which endpoints still exist, and which of them are FIFO (their deliveries queue in their workflow).
      const orderings = await endpointOrderings(tx, endpointIdsOf(rows));
      const liveEndpoints = new Set(orderings.keys());
      const fifoEndpoints = new Set([...orderings].filter(([, o]) => o === 'fifo').map(([id]) => id));
      // Rows held back for room are claimed when it frees: at once (it may have freed during this
      // batch), when a send of a full lane ends (onTenantFreed), and when the admissions would lapse
      // (which nothing announces). Without any held, the next due row is announced by its notification.
      const held = gate && room ? mayHaveHeldRows(rows, room, gate.endpointCap) : true;
      if (gate && admitStarts(gate, rows, liveEndpoints, fifoEndpoints) && held) setTimeout(poke, ADMITTED_FOR_MS + 50).unref();
      const weights = await fairnessWeights(tx, [...new Set(rows.map((r) => r.tenantId))]);
      const dispatched = dispatchRows(rows, { client: deps.client, taskQueue: deps.taskQueue, localSend: deps.localSend, localFirst: deps.localFirst, eager: true, liveEndpoints, fifoEndpoints, weights, concurrency });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), batchTimeoutMs)));
      const result = (await Promise.race([dispatched, timedOut]).finally(() => clearTimeout(timer))) ?? {
        done: [],
        failed: rows.map((r) => ({ id: r.id, error: `timed out after ${batchTimeoutMs} ms` })),
      };
      await removeDone(tx, result.done);
      await deferFailed(tx, result.failed);
      // Put back with a delay of a second or more, and no notification will say when it is due.
      deferred = result.failed.length > 0;
      deps.metrics.outboxRelayed.inc(result.done.length);
      if (result.failed.length) deps.metrics.relayStartErrors.inc(result.failed.length);
      if (result.failed.length) deps.log.warn({ failed: result.failed.length, first: result.failed[0]!.error }, 'outbox: calls to Temporal failed, will retry');
      return rows.length >= batchSize || held;
    }) as Promise<boolean>;
  }

  const loop = (async () => {
    let failures = 0;
    while (running) {
      poked = false;
      let mayHaveLeft = false;
      try {
        mayHaveLeft = await relayBatch();
        failures = 0;
      } catch (err) {
        failures += 1;
        deps.log.warn({ err: { message: (err as Error).message } }, 'outbox: relay batch failed');
        await sleep(Math.min(100 * 2 ** failures, 5_000));
        continue;
      }
      // A batch that may have left rows (a full batch, or a room filled) looks again at once; so does one
      // a notification came during. Otherwise every claim would be followed by one that finds nothing.
      if (mayHaveLeft || poked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, listened && !deferred ? sweepMs : fastSweepMs);
        wake = () => (clearTimeout(timer), resolve());
      });
      wake = undefined;
    }
  })();

  return {
    async stop() {
      running = false;
      unsubscribe?.();
      wake?.();
      await loop;
      await (await listening)?.unlisten().catch(() => {});
    },
  };
}
