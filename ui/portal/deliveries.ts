import { enc, q, type Api } from '../shared/api';
import { field, h, notice, replace, table } from '../shared/dom';
import { ms, when } from '../shared/format';
import { link } from '../shared/router';
import { actionButton, poll } from '../shared/widgets';
import type { Attempt, Delivery } from './types';

const STATUSES = ['pending', 'success', 'failed', 'skipped'];

export const statusBadge = (status: string) => h('span', { class: `badge s-${status}` }, status);

type Page = { data: Delivery[]; nextCursor: string | null };

/**
 * A delivery log: one endpoint's (GET /v1/webhooks/:id/deliveries) or, where this Hookline serves
 * GET /v1/deliveries, across endpoints. Filters are the ones the route's OpenAPI parameters offer;
 * the first page refreshes itself while a delivery on it is pending.
 */
export async function deliveryLog(api: Api, isCurrent: () => boolean, opts: { endpointId?: string }): Promise<HTMLElement> {
  const across = await api.has('get', '/v1/deliveries');
  const params = across ? await api.queryParams('get', '/v1/deliveries') : new Set(['status', 'limit', 'cursor']);
  const section = h('section', { class: 'log', 'aria-labelledby': 'log-title' }, h('h3', { id: 'log-title' }, 'Delivery log'));
  if (!opts.endpointId && !across) {
    section.append(notice('info', 'The log across all endpoints needs a newer Hookline (GET /v1/deliveries). Open an endpoint to see its deliveries.'));
    return section;
  }
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s }, s)));
  const typeName = ['eventType', 'type'].find((n) => params.has(n));
  const since = ['since', 'after', 'from'].find((n) => params.has(n));
  const until = ['until', 'before', 'to'].find((n) => params.has(n));
  const type = h('input', { type: 'text', name: 'eventType', placeholder: 'signing.completed' });
  const from = h('input', { type: 'datetime-local', name: 'since' });
  const to = h('input', { type: 'datetime-local', name: 'until' });
  const form = h('form', { class: 'filters' },
    field('Status', status),
    across && typeName ? field('Event type', type) : null,
    across && since ? field('From', from) : null,
    across && until ? field('Until', to) : null,
    h('button', { type: 'submit' }, 'Filter'));
  const list = h('div', { 'aria-live': 'polite' });
  const more = h('div');
  section.append(form, list, more);
  let rows: Delivery[] = [];

  const path = (cursor?: string) => {
    const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
    const filter = { status: status.value, limit: 20, cursor };
    if (!across) return `/v1/webhooks/${enc(opts.endpointId!)}/deliveries${q(filter)}`;
    return `/v1/deliveries${q({
      ...filter,
      endpointId: opts.endpointId,
      ...(typeName ? { [typeName]: type.value } : {}),
      ...(since ? { [since]: iso(from.value) } : {}),
      ...(until ? { [until]: iso(to.value) } : {}),
    })}`;
  };
  const render = (page: Page) => {
    replace(list, rows.length
      ? table(['Created', 'Event type', 'Kind', 'Status', 'Attempts', 'Next retry', ''], rows.map((d) => [
        when(d.createdAt), h('span', { class: 'mono' }, d.eventType), d.kind, statusBadge(d.status), String(d.attemptCount),
        when(d.nextRetryAt), h('a', { href: link('deliveries', d.id), 'aria-label': `Details of the ${d.eventType} delivery` }, 'Details'),
      ]), 'Deliveries, newest first')
      : notice('info', 'No deliveries yet.'));
    replace(more, page.nextCursor
      ? actionButton('Older deliveries', async () => {
        const next = await api.request<Page>('GET', path(page.nextCursor!));
        rows = rows.concat(next.data);
        render(next);
      })
      : null);
  };
  let pagedBeyondFirst = false;
  const loadFirst = async () => {
    const page = await api.request<Page>('GET', path());
    rows = page.data;
    pagedBeyondFirst = false;
    render(page);
    return page;
  };
  more.addEventListener('click', () => (pagedBeyondFirst = true));
  form.addEventListener('submit', (e) => (e.preventDefault(), void loadFirst()));
  await loadFirst();
  // Keep the first page live while something on it is still being delivered (or a refresh is asked).
  const refresh = { wanted: 0, ticks: 0 };
  poll(async () => {
    // Every second while something is pending or just sent, else every third: new events arrive too.
    if (!pagedBeyondFirst && (refresh.wanted > 0 || ++refresh.ticks % 3 === 0 || rows.some((d) => d.status === 'pending'))) {
      refresh.wanted = Math.max(0, refresh.wanted - 1);
      await loadFirst();
    }
    return true;
  }, 1000, isCurrent);
  section.addEventListener('hookline:refresh', () => (refresh.wanted = 10));
  return section;
}

/** One delivery with every attempt; redeliver sends it again with the same webhook-id. */
export async function deliveryPage(api: Api, main: HTMLElement, id: string, isCurrent: () => boolean): Promise<void> {
  const body = h('div');
  const draw = async () => {
    const d = await api.request<Delivery & { attempts: Attempt[] }>('GET', `/v1/deliveries/${enc(id)}`);
    replace(body,
      h('p', {}, h('a', { href: link('endpoints', d.endpointId) }, '← Back to the endpoint')),
      h('div', { class: 'props-grid' },
        h('dl', { class: 'props' },
          [['Status', statusBadge(d.status)], ['Event type', d.eventType], ['Kind', d.kind], ['Delivery id', h('span', { class: 'mono' }, d.id)],
            ['Event id', h('span', { class: 'mono' }, d.eventId)], ['Created', when(d.createdAt)], ['Attempts', String(d.attemptCount)],
            ['Next retry', when(d.nextRetryAt)]].map(([k, v]) => [h('dt', {}, k as string), h('dd', {}, v as Node | string)]))),
      h('div', { class: 'row' }, actionButton('Redeliver', async () => {
        const { deliveryId } = await api.request<{ deliveryId: string }>('POST', `/v1/deliveries/${enc(id)}/redeliver`);
        location.hash = link('deliveries', deliveryId);
      }, 'primary')),
      h('h3', {}, 'Attempts'),
      d.attempts.length
        ? h('ol', { class: 'attempts' }, d.attempts.map((a) => h('li', { class: 'attempt' },
          h('div', { class: 'attempt-head' },
            h('strong', {}, `Attempt ${a.attempt}`), ' ',
            a.responseStatus === null ? h('span', { class: 'badge s-failed' }, 'no answer') : h('span', { class: `badge ${a.responseStatus < 300 ? 's-success' : 's-failed'}` }, `HTTP ${a.responseStatus}`),
            ` · ${when(a.startedAt)} · ${ms(a.durationMs)}`, a.nextRetryAt ? ` · next retry ${when(a.nextRetryAt)}` : ''),
          a.error ? h('p', { class: 'attempt-error' }, `Error: ${a.error}`) : null,
          a.responseBody !== null && a.responseBody !== ''
            ? h('details', {}, h('summary', {}, 'Response body'), h('pre', { class: 'code', tabindex: 0 }, a.responseBody))
            : null)))
        : notice('info', d.status === 'pending' ? 'Waiting for the first attempt…' : 'No attempts.'),
    );
    return d.status === 'pending';
  };
  replace(main, h('h2', {}, 'Delivery'), body);
  if (await draw()) poll(draw, 1000, isCurrent);
}
