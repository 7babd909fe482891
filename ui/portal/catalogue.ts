import type { Api } from '../shared/api';
import { h, replace } from '../shared/dom';
import { pretty } from '../shared/format';
import { verifyPanel } from '../shared/verify';
import type { EventType } from './types';

/** The event types a tenant can subscribe to, with their schema and an example payload where the catalogue has them. */
export async function cataloguePage(api: Api, main: HTMLElement): Promise<void> {
  const { data } = await api.request<{ data: EventType[] }>('GET', '/v1/event-types');
  replace(main,
    h('h2', {}, 'Event catalogue'),
    h('p', {}, 'Each request\'s body is JSON: the event type, its id, when it happened, and its data.'),
    h('ul', { class: 'catalogue' }, data.map((t) => h('li', {},
      h('h3', { class: 'mono' }, t.type),
      h('p', {}, t.description),
      t.example !== undefined ? h('details', {}, h('summary', {}, `Example payload: ${t.type}`), h('pre', { class: 'code', tabindex: 0 }, pretty(t.example))) : null,
      t.schema !== undefined ? h('details', {}, h('summary', {}, `JSON Schema: ${t.type}`), h('pre', { class: 'code', tabindex: 0 }, pretty(t.schema))) : null))),
    verifyPanel());
}
