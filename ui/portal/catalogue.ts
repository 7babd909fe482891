import type { Api } from '../shared/api';
import { h, notice, replace } from '../shared/dom';
import { pretty } from '../shared/format';
import { verifyPanel } from '../shared/verify';
import type { EventType } from './types';

const present = (v: unknown) => v !== undefined && v !== null;

/**
 * The event types a tenant can subscribe to (GET /v1/event-types: archived types are left out),
 * each with its description, its JSON Schema and an example payload where the catalogue has them,
 * as text in <pre> (textContent only); then how to verify a request.
 */
export async function cataloguePage(api: Api, main: HTMLElement): Promise<void> {
  const { data } = await api.request<{ data: EventType[] }>('GET', '/v1/event-types');
  const live = data.filter((t) => !t.archived);
  replace(main,
    h('h2', {}, 'Event catalogue'),
    h('p', {}, 'Each request\'s body is JSON: the event type, its id, when it happened, and its data (shaped as the type\'s schema says).'),
    live.length
      ? h('ul', { class: 'catalogue' }, live.map((t) => h('li', {},
        h('h3', { class: 'mono' }, t.type),
        h('p', {}, t.description || 'No description.'),
        present(t.example)
          ? h('details', { open: true }, h('summary', {}, `Example payload: ${t.type}`), h('pre', { class: 'code', tabindex: 0, 'aria-label': `Example payload of ${t.type}` }, pretty(t.example)))
          : null,
        present(t.schema)
          ? h('details', {}, h('summary', {}, `JSON Schema: ${t.type}`), h('pre', { class: 'code', tabindex: 0, 'aria-label': `JSON Schema of ${t.type}` }, pretty(t.schema)))
          : h('p', { class: 'hint' }, 'No schema: any JSON data.'))))
      : notice('info', 'No event types yet.'),
    verifyPanel());
}
