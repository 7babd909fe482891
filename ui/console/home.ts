import type { Api } from '../shared/api';
import { barChart, percent } from '../shared/chart';
import { h, notice, replace, table } from '../shared/dom';
import { when } from '../shared/format';
import { link } from '../shared/router';
import type { AdminStats } from '../../api/types';

/** The console's home: how delivery is going across the deployment right now (GET /v1/admin/stats). */

const age = (seconds: number | null) => {
  if (seconds === null) return 'none';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
};

const temporalLink = (e: { id: string; workflowUrl: string | null }) =>
  e.workflowUrl
    ? h('a', { href: e.workflowUrl, target: '_blank', rel: 'noopener noreferrer', 'aria-label': `Workflow of ${e.id} in Temporal` }, 'Temporal')
    : h('span', { class: 'muted', title: 'Set HOOKLINE_TEMPORAL_UI_URL for a link' }, '—');

export function throughputSummary(s: AdminStats): string {
  const sum = (k: 'success' | 'failed' | 'pending' | 'skipped') => s.throughput.reduce((n, p) => n + p[k], 0);
  return `Deliveries created in the last hour: ${sum('success')} succeeded, ${sum('failed')} failed, ${sum('pending')} pending, ${sum('skipped')} skipped.`;
}

export async function homePage(api: Api, main: HTMLElement): Promise<void> {
  const s = await api.request<AdminStats>('GET', '/v1/admin/stats');
  const minute = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  replace(main,
    h('h2', {}, 'Overview'),
    h('dl', { class: 'figures' },
      [['Outbox backlog', String(s.outbox.rows)], ['Oldest outbox row', age(s.outbox.oldestAgeSeconds)],
        ['Pending deliveries', String(s.pending.deliveries)], ['Oldest pending delivery', age(s.pending.oldestAgeSeconds)]]
        .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    barChart({
      title: 'Throughput by status, last hour (per minute)',
      summary: throughputSummary(s),
      series: [
        { key: 'success', label: 'Succeeded', cls: 'bar-success' }, { key: 'failed', label: 'Failed', cls: 'bar-failed' },
        { key: 'pending', label: 'Pending', cls: 'bar-pending' }, { key: 'skipped', label: 'Skipped', cls: 'bar-skipped' },
      ],
      points: s.throughput.map((p) => ({ label: minute(p.start), values: { success: p.success, failed: p.failed, pending: p.pending, skipped: p.skipped } })),
    }),
    h('h3', {}, 'Most failing endpoints (24 h)'),
    s.failingEndpoints.length
      ? table(['Endpoint', 'Tenant', 'Failed', 'Success rate', 'Failures in a row', 'Workflow'], s.failingEndpoints.map((e) => [
        h('div', {}, h('a', { href: `${link('search')}?id=${encodeURIComponent(e.id)}`, class: 'mono' }, e.id), h('div', { class: 'mono url muted' }, e.url)),
        h('a', { href: link('tenants', e.tenantId) }, e.tenantId), String(e.failed), percent(e.successRate), String(e.consecutiveFailures), temporalLink(e),
      ]), 'Endpoints with the most failed deliveries created in the last 24 hours')
      : notice('success', 'No delivery failed in the last 24 hours.'),
    h('h3', {}, 'Disabled in the last 24 hours'),
    s.recentlyDisabled.length
      ? table(['Endpoint', 'Tenant', 'Reason', 'Disabled', 'Workflow'], s.recentlyDisabled.map((e) => [
        h('div', {}, h('span', { class: 'mono' }, e.id), h('div', { class: 'mono url muted' }, e.url)),
        h('a', { href: link('tenants', e.tenantId) }, e.tenantId), e.disabledReason ?? '—', when(e.disabledAt), temporalLink(e),
      ]), 'Endpoints disabled in the last 24 hours')
      : notice('success', 'No endpoint was disabled in the last 24 hours. When one is, its tenant can enable it again from the portal.'));
}
