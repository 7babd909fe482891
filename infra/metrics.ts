import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per process: the API and the worker each add what they see. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookline_process_' });
  return {
    registry,
    eventsPublished: new Counter({ name: 'hookline_events_published_total', help: 'Events accepted for delivery', registers: [registry] }),
    deliveriesCompleted: new Counter({
      name: 'hookline_deliveries_completed_total',
      help: 'Deliveries that reached a final status, by status',
      labelNames: ['status'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'hookline_attempt_duration_seconds',
      help: 'Duration of delivery attempts (HTTP POST), by response status or "error"',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outboxRelayed: new Counter({
      name: 'hookline_outbox_relayed_total',
      help: 'Outbox rows carried to Temporal by this process (delivery starts, endpoint signals)',
      registers: [registry],
    }),
    outboxClaims: new Counter({
      name: 'hookline_outbox_claims_total',
      help: "The relay's claims of due outbox rows, by whether one found any (found=rows|none): each is a transaction on Postgres",
      labelNames: ['found'],
      registers: [registry],
    }),
    relayStartErrors: new Counter({
      name: 'hookline_relay_start_errors_total',
      help: 'Outbox rows whose Temporal call (a start or a signal) failed and was put back for a later try',
      registers: [registry],
    }),
    sendSlotWait: new Histogram({
      name: 'hookline_send_slot_wait_seconds',
      help: "Sends that asked for one of this worker's send slots, by outcome: granted (observed as 0), or busy (over its share; observed as the wait until its turn, which it spends outside the worker)",
      labelNames: ['outcome'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    // The deployment's backlog, read from Postgres at each scrape (every process reports the same figures).
    outboxRows: new Gauge({ name: 'hookline_outbox_rows', help: 'Outbox rows not yet carried to Temporal (counted up to 100000)', registers: [registry] }),
    outboxOldestAge: new Gauge({ name: 'hookline_outbox_oldest_age_seconds', help: 'Age of the oldest outbox row (0 when empty)', registers: [registry] }),
    pendingDeliveries: new Gauge({ name: 'hookline_pending_deliveries', help: 'Deliveries not yet final (counted up to 100000)', registers: [registry] }),
    pendingOldestAge: new Gauge({ name: 'hookline_pending_oldest_age_seconds', help: 'Age of the oldest pending delivery (0 when none)', registers: [registry] }),
    endpointsDisabled: new Counter({
      name: 'hookline_endpoints_disabled_total',
      help: 'Endpoints disabled by Hookline, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
