import type { Client } from '@temporalio/client';
import type { OutboxRow } from '../db/queries/outbox';
import { forEachLimited } from '../infra/concurrency';
import { withTraceparent } from '../infra/tracing';
import { signalEndpointWorkflow, startDeliveryWorkflow, startEndpointWorkflow, startRecoveryWorkflow, stopEndpointWorkflows } from './client';
import { fifoWakeSignal, sendTestSignal, setEnabledSignal } from './workflows/messages';
import type { DeliveryInput } from './workflows/types';

/** The Temporal calls one claimed batch of outbox rows stands for, each row to one result. */
export interface Dispatch {
  client: Client;
  taskQueue: string;
  /** Endpoints of this batch that still exist: no workflow is started or signalled for a deleted one. */
  liveEndpoints: Set<string>;
  /** Endpoints of this batch with `ordering: fifo`: their deliveries wake the endpoint's workflow instead of starting their own. */
  fifoEndpoints?: Set<string>;
  /** Temporal calls in flight at once for the batch. */
  concurrency: number;
  /** Deliveries send from a local activity (HOOKLINE_LOCAL_SEND). */
  localSend: boolean;
  /** A delivery's first attempt is a local activity, later ones activities (HOOKLINE_LOCAL_FIRST_ATTEMPT); wins over localSend. */
  localFirst?: boolean;
  /** Ask for eager starts: the client shares its connection with a worker of the task queue (the relay in a worker process). */
  eager?: boolean;
  /** The fairness weights the batch's tenants set (absent: 1, Temporal's default). */
  weights?: Map<string, number>;
}

type Call = () => Promise<unknown>;

/**
 * Whether a delivery of a claimed row gets a workflow of its own: its endpoint still exists, and is
 * not FIFO (a FIFO endpoint's deliveries wait in Postgres for its workflow; its test sends do not).
 */
export function startsWorkflow(delivery: { endpointId: string; kind: string }, live: Set<string>, fifo: Set<string> | undefined): boolean {
  return live.has(delivery.endpointId) && !((fifo?.has(delivery.endpointId) ?? false) && delivery.kind !== 'test');
}

/** One wake-up per FIFO endpoint per batch, however many of its rows the batch holds; each of those rows waits for it. */
type Wakes = Map<string, Promise<unknown>>;

function callsFor(row: OutboxRow, d: Dispatch, wakes: Wakes = new Map()): Call[] {
  const ids = { tenantId: row.tenantId };
  const weight = d.weights?.get(row.tenantId);
  const live = (endpointId: string) => d.liveEndpoints.has(endpointId);
  switch (row.kind) {
    case 'deliver': {
      const { eventId, eventType, deliveries } = row.payload;
      const fifo = (endpointId: string) => d.fifoEndpoints?.has(endpointId) ?? false;
      // A FIFO endpoint's deliveries are queued in Postgres already: one wake-up of its workflow per endpoint.
      const wake = [...new Set(deliveries.filter((x) => live(x.endpointId) && fifo(x.endpointId) && x.kind !== 'test').map((x) => x.endpointId))].map(
        (endpointId) => () => {
          let wake = wakes.get(endpointId);
          if (!wake) wakes.set(endpointId, (wake = signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, fifoWakeSignal, {})));
          return wake;
        },
      );
      return deliveries
        .filter((x) => startsWorkflow(x, d.liveEndpoints, d.fifoEndpoints))
        .map((x): Call => () => startDeliveryWorkflow(d.client, d.taskQueue, { ...ids, deliveryId: x.id, endpointId: x.endpointId, eventId, eventType, kind: x.kind, ...sendMode(d) }, { eager: d.eager, weight }))
        .concat(wake);
    }
    case 'test': {
      const { endpointId, deliveryId, eventId } = row.payload;
      return live(endpointId) ? [() => signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, sendTestSignal, { deliveryId, eventId })] : [];
    }
    case 'set_enabled': {
      const { endpointId, enabled } = row.payload;
      return live(endpointId) ? [() => signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, setEnabledSignal, { enabled })] : [];
    }
    case 'start_endpoint': {
      const { endpointId, fifoWake } = row.payload;
      if (!live(endpointId)) return [];
      if (fifoWake) return [() => signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, fifoWakeSignal, {})];
      return [() => startEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId })];
    }
    case 'stop_endpoint':
      return [() => stopEndpointWorkflows(d.client, row.payload.endpointId, row.payload.deliveryIds)];
    case 'recover': {
      const { endpointId, recoveryId } = row.payload;
      return live(endpointId) ? [() => startRecoveryWorkflow(d.client, d.taskQueue, { ...ids, recoveryId }, endpointId, weight)] : [];
    }
  }
}

function sendMode(d: Dispatch): Pick<DeliveryInput, 'localFirst' | 'localSend'> {
  if (d.localFirst) return { localFirst: true };
  return d.localSend ? { localSend: true } : {};
}

export function endpointIdsOf(rows: OutboxRow[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.kind === 'deliver') row.payload.deliveries.forEach((x) => ids.add(x.endpointId));
    else ids.add(row.payload.endpointId);
  }
  return [...ids];
}

/** Runs every call of every row; a row is done only when all its calls succeeded. */
export async function dispatchRows(rows: OutboxRow[], d: Dispatch): Promise<{ done: string[]; failed: { id: string; error: string }[] }> {
  const wakes: Wakes = new Map();
  // Each call continues the trace of the request that wrote its row (a no-op when not tracing).
  const calls = rows.flatMap((row) => callsFor(row, d, wakes).map((call) => ({ row: row.id, call: () => withTraceparent(row.traceparent, call) })));
  const errors = new Map<string, string>();
  await forEachLimited(calls.length, d.concurrency, async (i) => {
    const { row, call } = calls[i]!;
    try {
      await call();
    } catch (err) {
      errors.set(row, err instanceof Error ? err.message : String(err));
    }
  });
  return {
    done: rows.filter((r) => !errors.has(r.id)).map((r) => r.id),
    failed: [...errors].map(([id, error]) => ({ id, error })),
  };
}
