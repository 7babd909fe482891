import { field, h, notice, type Child } from '../shared/dom';
import { pretty } from '../shared/format';
import type { Endpoint } from './types';

/** Body properties edited here, so the endpoint form leaves them out of "More settings (JSON)". */
export const FILTER_PROPS = ['filter', 'channels'] as const;

export interface FilterFields {
  /** The fieldset, or null when this Hookline's API takes neither property. */
  el: HTMLElement | null;
  /** Adds filter and channels to the body; a message when the textarea does not hold JSON. */
  read(body: Record<string, unknown>): string | null;
  /** Shows the API's refusal next to the field it names (filter… or channels…); true when it did. */
  showProblem(message: string): boolean;
}

const FILTER_EXAMPLE = '{ "data": { "amount": { "$gte": 100 } } }';

/**
 * The endpoint form's payload filter (a JSON textarea, checked by the API on save: its message, which
 * names the path, appears beside the textarea) and channels (comma-separated).
 */
export function filterFields(props: Set<string>, e?: Endpoint): FilterFields {
  const hasFilter = props.has('filter');
  const hasChannels = props.has('channels');
  const filter = h('textarea', { name: 'filter', rows: 5, class: 'mono', spellcheck: 'false', placeholder: FILTER_EXAMPLE });
  const current = e?.filter as Record<string, unknown> | null | undefined;
  if (current) filter.value = JSON.stringify(current, null, 2);
  const filterProblem = h('div', { 'aria-live': 'assertive', class: 'field-problem' });
  const channels = h('input', { type: 'text', name: 'channels', class: 'mono', spellcheck: 'false', autocomplete: 'off', placeholder: 'project-7, eu' });
  channels.value = ((e?.channels as string[] | undefined) ?? []).join(', ');
  const channelsProblem = h('div', { 'aria-live': 'assertive', class: 'field-problem' });
  filter.addEventListener('input', () => filterProblem.replaceChildren());
  channels.addEventListener('input', () => channelsProblem.replaceChildren());

  const el = hasFilter || hasChannels
    ? h('fieldset', { class: 'endpoint-filter' }, h('legend', {}, 'Filter and channels (optional)'),
      hasFilter
        ? [field('Payload filter (JSON)', filter,
          'Deliver only events this matches, e.g. ' + FILTER_EXAMPLE + '. Operators: $eq $neq $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains $and $or $not. Empty: every event.'),
        filterProblem]
        : null,
      hasChannels
        ? [field('Channels', channels, 'Comma-separated. Only events published with one of these channels are delivered. Empty: every event.'), channelsProblem]
        : null)
    : null;

  return {
    el,
    read(body) {
      filterProblem.replaceChildren();
      if (hasFilter) {
        const text = filter.value.trim();
        if (text) {
          try {
            body.filter = JSON.parse(text) as unknown;
          } catch {
            filterProblem.replaceChildren(notice('error', 'Not valid JSON.'));
            return 'Payload filter: not valid JSON.';
          }
        } else if (e) {
          body.filter = null;
        }
      }
      if (hasChannels) {
        const list = channels.value.split(',').map((c) => c.trim()).filter(Boolean);
        if (list.length || e) body.channels = list;
      }
      return null;
    },
    showProblem(message) {
      const target = /^filter\b/.test(message) ? filterProblem : /^channels\b/.test(message) ? channelsProblem : null;
      target?.replaceChildren(notice('error', message));
      return target !== null;
    },
  };
}

/** The endpoint page's rows for them, when the API answers them. */
export function filterRows(e: Endpoint): [string, Child][] {
  const rows: [string, Child][] = [];
  if ('filter' in e) rows.push(['Payload filter', e.filter ? h('pre', { class: 'code' }, pretty(e.filter)) : 'None: every event']);
  const channels = e.channels as string[] | undefined;
  if (channels) rows.push(['Channels', channels.length ? h('span', { class: 'mono' }, channels.join(', ')) : 'None: every event']);
  return rows;
}
