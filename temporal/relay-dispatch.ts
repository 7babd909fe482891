import type { Client } from '@temporalio/client';
import type { OutboxRow } from '../db/queries/outbox';
import { forEachLimited } from '../infra/concurrency';
import { withTraceparent } from '../infra/tracing';
import { signalEndpointWorkflow, startDeliveryWorkflow, startEndpointWorkflow, startRecoveryWorkflow, stopEndpointWorkflows } from './client';
import { sendTestSignal, setEnabledSignal } from './workflows/messages';

/** The Temporal calls one claimed batch of outbox rows stands for, each row to one result. */
export interface Dispatch {
  client: Client;
  taskQueue: string;
  /** Endpoints of this batch that still exist: no workflow is started or signalled for a deleted one. */
  liveEndpoints: Set<string>;
  /** Temporal calls in flight at once for the batch. */
  concurrency: number;
  /** Deliveries send from a local activity (HOOKLINE_LOCAL_SEND). */
  localSend: boolean;
}

type Call = () => Promise<unknown>;

function callsFor(row: OutboxRow, d: Dispatch): Call[] {
  const ids = { tenantId: row.tenantId };
  const live = (endpointId: string) => d.liveEndpoints.has(endpointId);
  switch (row.kind) {
    case 'deliver': {
      const { eventId, eventType, deliveries } = row.payload;
      return deliveries
        .filter((x) => live(x.endpointId))
        .map((x) => () => startDeliveryWorkflow(d.client, d.taskQueue, { ...ids, deliveryId: x.id, endpointId: x.endpointId, eventId, eventType, kind: x.kind, ...(d.localSend ? { localSend: true } : {}) }));
    }
    case 'test': {
      const { endpointId, deliveryId, eventId } = row.payload;
      return live(endpointId) ? [() => signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, sendTestSignal, { deliveryId, eventId })] : [];
    }
    case 'set_enabled': {
      const { endpointId, enabled } = row.payload;
      return live(endpointId) ? [() => signalEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId }, setEnabledSignal, { enabled })] : [];
    }
    case 'start_endpoint':
      return live(row.payload.endpointId) ? [() => startEndpointWorkflow(d.client, d.taskQueue, { ...ids, endpointId: row.payload.endpointId })] : [];
    case 'stop_endpoint':
      return [() => stopEndpointWorkflows(d.client, row.payload.endpointId, row.payload.deliveryIds)];
    case 'recover': {
      const { endpointId, recoveryId } = row.payload;
      return live(endpointId) ? [() => startRecoveryWorkflow(d.client, d.taskQueue, { ...ids, recoveryId }, endpointId)] : [];
    }
  }
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
  // Each call continues the trace of the request that wrote its row (a no-op when not tracing).
  const calls = rows.flatMap((row) => callsFor(row, d).map((call) => ({ row: row.id, call: () => withTraceparent(row.traceparent, call) })));
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
