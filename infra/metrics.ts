import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    endpointsDisabled: new Counter({
      name: 'hookline_endpoints_disabled_total',
      help: 'Endpoints disabled by Hookline, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
