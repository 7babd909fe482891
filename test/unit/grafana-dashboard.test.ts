import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMetrics } from '../../infra/metrics';

/** Every series deploy/grafana/hookline.json graphs is one a Hookline process exports. */

const dashboard = JSON.parse(readFileSync(path.join(__dirname, '../../deploy/grafana/hookline.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
// Written by hand beside the registry (api/routes/probes.ts): the catalogue's row estimates.
const HAND_WRITTEN = ['hookline_table_rows_estimate'];

async function exported(): Promise<Set<string>> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  const names = new Set(HAND_WRITTEN);
  for (const m of metrics) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
  }
  return names;
}

test('every metric the Grafana dashboard queries is one the code registers', async () => {
  const names = await exported();
  const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\bhookline_[a-z0-9_]+/g)].map((m) => ({ panel: p.title, metric: m[0] }))));
  expect(queried.length).toBeGreaterThan(10);
  expect(queried.filter((q) => !names.has(q.metric))).toEqual([]);
});

test('the dashboard graphs what an operator watches: final statuses, attempt latency, backlog, relay errors, send-slot waits', () => {
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const metric of [
    'hookline_deliveries_completed_total', 'hookline_attempt_duration_seconds_bucket', 'hookline_outbox_rows', 'hookline_outbox_oldest_age_seconds',
    'hookline_pending_oldest_age_seconds', 'hookline_relay_start_errors_total', 'hookline_send_slot_wait_seconds_bucket',
  ]) expect(exprs).toContain(metric);
});
