import type { Api } from '../shared/api';
import { field, h, notice, uid } from '../shared/dom';
import type { Endpoint, EventType } from './types';

const CORE = new Set(['url', 'events', 'description', 'enabled']);

/**
 * The create/edit form: URL, description, the event types to receive (from the catalogue), and,
 * where this Hookline's API takes more settings (custom headers, flow control, ...), those as JSON.
 */
export async function endpointForm(
  api: Api,
  opts: { endpoint?: Endpoint; submitLabel: string; onSubmit: (body: Record<string, unknown>) => Promise<void> },
): Promise<HTMLFormElement> {
  const e = opts.endpoint;
  const [types, props] = await Promise.all([
    api.request<{ data: EventType[] }>('GET', '/v1/event-types').then((r) => r.data).catch(() => [] as EventType[]),
    api.bodyProps(e ? 'patch' : 'post', e ? '/v1/webhooks/{id}' : '/v1/webhooks'),
  ]);
  const url = h('input', { type: 'url', name: 'url', required: true, value: e?.url ?? '', placeholder: 'https://example.com/webhooks', autocomplete: 'url' });
  const description = h('input', { type: 'text', name: 'description', value: e?.description ?? '', maxlength: 500 });
  const all = (e?.events ?? ['*']).includes('*');
  const everything = h('input', { type: 'checkbox', name: 'all-events', checked: all });
  const boxes = types.filter((t) => t.type !== 'webhook.test').map((t) => {
    const box = h('input', { type: 'checkbox', name: 'event', value: t.type, checked: !all && (e?.events ?? []).includes(t.type), id: uid('ev') });
    return { box, el: h('div', { class: 'check' }, box, h('label', { for: box.id }, h('span', { class: 'mono' }, t.type), ' — ', t.description)) };
  });
  const syncBoxes = () => boxes.forEach(({ box }) => (box.disabled = everything.checked));
  everything.addEventListener('change', syncBoxes);
  syncBoxes();
  everything.id = uid('ev');
  const extraNames = [...props].filter((p) => !CORE.has(p));
  const extras = h('textarea', { name: 'settings', rows: 4, class: 'mono', spellcheck: 'false' });
  if (e) extras.value = JSON.stringify(Object.fromEntries(extraNames.filter((n) => n in e).map((n) => [n, e[n]])), null, 2);
  const problem = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary' }, opts.submitLabel);
  const form = h('form', { class: 'endpoint-form' },
    field('Endpoint URL', url, 'Where Hookline sends each event, as an HTTP POST.'),
    field('Description (optional)', description),
    h('fieldset', {}, h('legend', {}, 'Events to receive'),
      h('div', { class: 'check' }, everything, h('label', { for: everything.id }, 'All events')),
      boxes.map((b) => b.el)),
    extraNames.length ? field(`More settings (JSON: ${extraNames.join(', ')})`, extras, 'Optional. Leave {} for the defaults.') : null,
    problem, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    problem.replaceChildren();
    const events = everything.checked ? ['*'] : boxes.filter((b) => b.box.checked).map((b) => b.box.value);
    if (!events.length) return void problem.replaceChildren(notice('error', 'Choose at least one event type, or All events.'));
    let more: Record<string, unknown> = {};
    if (extraNames.length && extras.value.trim()) {
      try {
        more = JSON.parse(extras.value) as Record<string, unknown>;
      } catch {
        return void problem.replaceChildren(notice('error', 'More settings: not valid JSON.'));
      }
    }
    submit.disabled = true;
    try {
      await opts.onSubmit({ url: url.value.trim(), description: description.value, events, ...more });
    } catch (err) {
      problem.replaceChildren(notice('error', (err as Error).message));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
