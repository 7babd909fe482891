import { enc, type Api } from '../shared/api';
import { barChart, percent } from '../shared/chart';
import { h, replace } from '../shared/dom';
import { ms } from '../shared/format';
import type { EndpointStats } from '../../api/types';

/** The endpoint page's statistics: success and failure over time (24 h by the hour, 7 d by the day), success rate, latency. */
const RANGES = { '24h': { label: 'Last 24 hours', days: 1, bucket: 'hour' }, '7d': { label: 'Last 7 days', days: 7, bucket: 'day' } } as const;
type RangeKey = keyof typeof RANGES;

const pointLabel = (iso: string, bucket: string) => {
  const d = new Date(iso);
  return bucket === 'day' ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
};

/** The words the chart's aria-label and the figures above it share, so both state the API's numbers. */
export function statsSummary(s: EndpointStats, range: string): string {
  const t = s.totals;
  return `${range}: ${t.success} succeeded, ${t.failed} failed, ${t.pending} pending, ${t.skipped} skipped; success rate ${percent(t.successRate)}.`;
}

export function endpointStatsPanel(api: Api, id: string): HTMLElement {
  const body = h('div', { 'aria-live': 'polite' });
  const buttons = Object.entries(RANGES).map(([key, r]) => {
    const b = h('button', { type: 'button', 'aria-pressed': 'false', 'data-range': key }, r.label);
    b.addEventListener('click', () => void show(key as RangeKey));
    return b;
  });
  async function show(key: RangeKey): Promise<void> {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.range === key));
    const r = RANGES[key];
    const since = new Date(Date.now() - r.days * 86_400_000).toISOString();
    try {
      const s = await api.request<EndpointStats>('GET', `/v1/webhooks/${enc(id)}/stats?since=${enc(since)}&bucket=${r.bucket}`);
      const t = s.totals;
      replace(body,
        h('dl', { class: 'figures' },
          [['Success rate', percent(t.successRate)], ['Succeeded', String(t.success)], ['Failed', String(t.failed)], ['Pending', String(t.pending)],
            ['Skipped', String(t.skipped)], ['Attempts', String(t.attempts)], ['Latency p50', ms(s.latencyMs.p50)], ['Latency p95', ms(s.latencyMs.p95)]]
            .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
        t.success + t.failed + t.pending + t.skipped === 0
          ? h('p', { class: 'empty' }, 'No deliveries in this range yet. Send a test event above, or publish an event this endpoint subscribes to.')
          : null,
        barChart({
          title: `Deliveries, ${r.label.toLowerCase()}`,
          summary: statsSummary(s, r.label),
          series: [{ key: 'success', label: 'Succeeded', cls: 'bar-success' }, { key: 'failed', label: 'Failed', cls: 'bar-failed' }],
          points: s.series.map((p) => ({ label: pointLabel(p.start, s.bucket), values: { success: p.success, failed: p.failed } })),
        }));
    } catch (err) {
      replace(body, h('p', { class: 'notice error', role: 'alert' }, (err as Error).message));
    }
  }
  void show('24h');
  return h('section', { class: 'stats', 'aria-labelledby': `stats-${id}` },
    h('div', { class: 'title-row' }, h('h3', { id: `stats-${id}` }, 'Delivery statistics'), h('div', { class: 'row', role: 'group', 'aria-label': 'Range' }, buttons)),
    body);
}
