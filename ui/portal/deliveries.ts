import { enc, q, type Api } from '../shared/api';
import { field, h, notice, replace, table } from '../shared/dom';
import { ms, when } from '../shared/format';
import { link } from '../shared/router';
import { actionButton, poll } from '../shared/widgets';
import { answerLabel, attemptBadge, destinationLabel } from './destination-view';
import type { Attempt, Delivery, Endpoint, EventType } from './types';

const STATUSES = ['pending', 'success', 'failed', 'skipped'];
const KINDS = ['event', 'test', 'redelivery'];

export const statusBadge = (status: string) => h('span', { class: `badge s-${status}` }, status);

type Page = { data: Delivery[]; nextCursor: string | null };

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined when empty. */
const iso = (v: string) => {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/**
 * A delivery log from GET /v1/deliveries: one endpoint's (endpointId) or across endpoints, with
 * filters for status, event type (from the catalogue), kind, a time range and a channel, paged by nextCursor;
 * the first page refreshes itself while a delivery on it is pending.
 */
export async function deliveryLog(api: Api, isCurrent: () => boolean, opts: { endpointId?: string }): Promise<HTMLElement> {
  const [types, endpoints] = await Promise.all([
    api.request<{ data: EventType[] }>('GET', '/v1/event-types').then((r) => r.data).catch(() => [] as EventType[]),
    opts.endpointId ? Promise.resolve([] as Endpoint[]) : api.request<{ data: Endpoint[] }>('GET', '/v1/webhooks?limit=100').then((r) => r.data).catch(() => [] as Endpoint[]),
  ]);
  const urlOf = new Map(endpoints.map((e) => [e.id, destinationLabel(e)]));
  const endpoint = h('select', { name: 'endpointId' }, h('option', { value: '' }, 'All endpoints'), endpoints.map((e) => h('option', { value: e.id }, e.description ? `${e.description} (${destinationLabel(e)})` : destinationLabel(e))));
  const section = h('section', { class: 'log', 'aria-labelledby': 'log-title' }, h('h3', { id: 'log-title' }, opts.endpointId ? 'Delivery log' : 'Deliveries to all endpoints'));
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s }, s)));
  const type = h('select', { name: 'eventType' }, h('option', { value: '' }, 'Any event type'), types.map((t) => h('option', { value: t.type }, t.type)));
  const kind = h('select', { name: 'kind' }, h('option', { value: '' }, 'Any kind'), KINDS.map((k) => h('option', { value: k }, k)));
  const from = h('input', { type: 'datetime-local', name: 'since', step: 1 });
  const to = h('input', { type: 'datetime-local', name: 'until', step: 1 });
  const channel = h('input', { type: 'text', name: 'channel', class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: 64 });
  const form = h('form', { class: 'filters', 'aria-label': 'Filter deliveries' },
    opts.endpointId ? null : field('Endpoint', endpoint),
    field('Status', status), field('Event type', type), field('Kind', kind),
    field('Created from', from), field('Created before', to), field('Channel', channel),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit' }, 'Filter'), h('button', { type: 'reset' }, 'Clear')));
  const problem = h('div');
  const list = h('div', { 'aria-live': 'polite' });
  const more = h('div');
  section.append(form, problem, list, more);
  let rows: Delivery[] = [];

  const path = (cursor?: string) => `/v1/deliveries${q({
    endpointId: opts.endpointId ?? endpoint.value,
    status: status.value,
    eventType: type.value,
    kind: kind.value,
    channel: channel.value.trim(),
    since: iso(from.value),
    until: iso(to.value),
    limit: 20,
    cursor,
  })}`;
  const filtered = () => Boolean(endpoint.value || status.value || type.value || kind.value || from.value || to.value || channel.value);
  const render = (page: Page) => {
    replace(list, rows.length
      ? table([...(opts.endpointId ? [] : ['Endpoint']), 'Created', 'Event type', 'Kind', 'Status', 'Attempts', 'Next retry', ''], rows.map((d) => [
        ...(opts.endpointId ? [] : [h('a', { href: link('endpoints', d.endpointId), class: 'mono url' }, urlOf.get(d.endpointId) ?? d.endpointId)]),
        when(d.createdAt), h('span', { class: 'mono' }, d.eventType), d.kind, statusBadge(d.status), String(d.attemptCount),
        when(d.nextRetryAt), h('a', { href: link('deliveries', d.id), 'aria-label': `Details of the ${d.eventType} delivery` }, 'Details'),
      ]), 'Deliveries, newest first')
      : notice('info', filtered() ? 'No deliveries match these filters.' : 'No deliveries yet.'));
    replace(more, page.nextCursor
      ? actionButton('Older deliveries', async () => {
        const mine = ++view;
        pagedBeyondFirst = true;
        const next = await api.request<Page>('GET', path(page.nextCursor!));
        if (mine !== view) return;
        rows = rows.concat(next.data);
        render(next);
      })
      : null);
  };
  let pagedBeyondFirst = false;
  // Each load or paging step takes a number; an answer applies only if nothing began after it
  // (a refresh in flight when "Older deliveries" is pressed must not put the first page back).
  let view = 0;
  const loadFirst = async () => {
    const mine = ++view;
    const page = await api.request<Page>('GET', path());
    if (mine !== view) return page;
    rows = page.data;
    pagedBeyondFirst = false;
    render(page);
    return page;
  };
  const reload = async () => {
    problem.replaceChildren();
    try {
      await loadFirst();
    } catch (err) {
      problem.replaceChildren(notice('error', (err as Error).message));
    }
  };
  form.addEventListener('submit', (e) => (e.preventDefault(), void reload()));
  form.addEventListener('reset', () => setTimeout(() => void reload(), 0));
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
            attemptBadge(a),
            ` · ${when(a.startedAt)} · ${ms(a.durationMs)}`, a.nextRetryAt ? ` · next retry ${when(a.nextRetryAt)}` : ''),
          a.error ? h('p', { class: 'attempt-error' }, `Error: ${a.error}`) : null,
          a.responseBody !== null && a.responseBody !== ''
            ? h('details', {}, h('summary', {}, answerLabel(a)), h('pre', { class: 'code', tabindex: 0 }, a.responseBody))
            : null)))
        : notice('info', d.status === 'pending' ? 'Waiting for the first attempt…' : 'No attempts.'),
    );
    return d.status === 'pending';
  };
  replace(main, h('h2', {}, 'Delivery'), body);
  if (await draw()) poll(draw, 1000, isCurrent);
}
