import type { Api } from '../shared/api';
import { field, h, notice, uid } from '../shared/dom';
import { AUTH_BODY_PROPS, endpointAuthFields } from './endpoint-auth-fields';
import { destinationFields } from './endpoint-destination-fields';
import type { Endpoint, EventType } from './types';
import { FILTER_PROPS, filterFields } from './endpoint-filter-fields';

/**
 * Body properties this form has inputs for (a broker destination's type, config and credentials in
 * endpoint-destination-fields.ts); any other the API takes goes in "More settings (JSON)".
 */
const NAMED = new Set(['url', 'events', 'description', 'enabled', 'headers', 'secret', 'signatureScheme', 'recoverSkipped', 'maxInFlight', 'rateLimit', 'ordering', 'type', 'config', 'credentials', ...AUTH_BODY_PROPS]);
FILTER_PROPS.forEach((p) => NAMED.add(p));

/** The key/value editor of an endpoint's custom headers: one labelled row per header, add and remove. */
function headersEditor(initial: Record<string, string>): { el: HTMLElement; read: () => Record<string, string> | string } {
  const rows = h('div', { class: 'header-rows' });
  const status = h('p', { class: 'sr-only', role: 'status' });
  let n = 0;
  const addRow = (name = '', value = '', focus = false) => {
    const k = ++n;
    const nameInput = h('input', { type: 'text', name: 'header-name', value: name, class: 'mono', spellcheck: 'false', autocomplete: 'off', placeholder: 'Authorization' });
    const valueInput = h('input', { type: 'text', name: 'header-value', value, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
    const remove = h('button', { type: 'button', 'aria-label': `Remove header ${k}` }, 'Remove');
    const row = h('div', { class: 'header-row' }, field(`Header ${k} name`, nameInput), field(`Header ${k} value`, valueInput), remove);
    remove.addEventListener('click', () => {
      row.remove();
      status.textContent = `Header ${k} removed.`;
      add.focus();
    });
    rows.append(row);
    if (focus) nameInput.focus();
  };
  const add = h('button', { type: 'button' }, 'Add header');
  add.addEventListener('click', () => addRow('', '', true));
  for (const [k, v] of Object.entries(initial)) addRow(k, v);
  const el = h('fieldset', { class: 'headers' }, h('legend', {}, 'Custom headers (optional)'),
    h('p', { class: 'hint' }, 'Sent with every request to this endpoint, e.g. a token your receiver checks. At most 20.'),
    rows, add, status);
  const read = () => {
    const out: Record<string, string> = {};
    for (const row of Array.from(rows.querySelectorAll('.header-row'))) {
      const [name = '', value] = Array.from(row.querySelectorAll('input')).map((i) => i.value.trim());
      if (!name && !value) continue;
      if (!name) return 'Custom headers: a header value has no name.';
      if (Object.keys(out).some((k) => k.toLowerCase() === name.toLowerCase())) return `Custom headers: ${name} is given twice.`;
      out[name] = value ?? '';
    }
    return out;
  };
  return { el, read };
}

/**
 * The create/edit form: URL, description, the event types to receive (from the catalogue), custom
 * headers, on create the signature scheme and an optional imported secret, and the flow-control
 * settings where this Hookline's API takes them (its OpenAPI document lists the body's properties).
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
  const urlField = field('Endpoint URL', url, 'Where Hookline sends each event, as an HTTP POST.');
  const destination = destinationFields(e, props);
  destination.onType((broker) => ((urlField.hidden = broker), (url.required = !broker)));
  const description = h('input', { type: 'text', name: 'description', value: e?.description ?? '', maxlength: 500 });
  const all = (e?.events ?? ['*']).includes('*');
  const everything = h('input', { type: 'checkbox', name: 'all-events', checked: all, id: uid('ev') });
  const boxes = types.filter((t) => t.type !== 'webhook.test' && !t.archived).map((t) => {
    const box = h('input', { type: 'checkbox', name: 'event', value: t.type, checked: !all && (e?.events ?? []).includes(t.type), id: uid('ev') });
    return { box, el: h('div', { class: 'check' }, box, h('label', { for: box.id }, h('span', { class: 'mono' }, t.type), ' — ', t.description)) };
  });
  const syncBoxes = () => boxes.forEach(({ box }) => (box.disabled = everything.checked));
  everything.addEventListener('change', syncBoxes);
  syncBoxes();

  const headers = props.has('headers') ? headersEditor((e?.headers as Record<string, string> | undefined) ?? {}) : null;

  // Signing, on create only: v1 (HMAC with a whsec_ secret, which may be imported) or v1a (Ed25519).
  const scheme = (value: string, label: string, checked: boolean) => {
    const input = h('input', { type: 'radio', name: 'signatureScheme', value, checked, id: uid('sch') });
    return { input, el: h('div', { class: 'check' }, input, h('label', { for: input.id }, label)) };
  };
  const v1 = scheme('v1', 'v1: HMAC-SHA256 with a shared secret (whsec_…). The usual choice.', true);
  const v1a = scheme('v1a', 'v1a: Ed25519. Your receiver verifies with a public key; no secret to keep.', false);
  const imported = h('input', { type: 'password', name: 'secret', class: 'mono', spellcheck: 'false', autocomplete: 'off', placeholder: 'whsec_…' });
  const importField = field('Import an existing secret (optional)', imported, 'Moving from another webhook service? Paste its whsec_ secret and your receiver keeps working. Leave empty for a new secret.');
  const syncScheme = () => (importField.hidden = v1a.input.checked);
  for (const s of [v1, v1a]) s.input.addEventListener('change', syncScheme);
  const signing = !e && props.has('signatureScheme')
    ? h('fieldset', {}, h('legend', {}, 'Signature scheme'), v1.el, v1a.el, props.has('secret') ? importField : null)
    : !e && props.has('secret') ? importField : null;

  // Flow control: inputs for the settings the API declares (they may land after this portal).
  const maxInFlight = h('input', { type: 'number', name: 'maxInFlight', min: 1, step: 1, inputmode: 'numeric', value: numberOrEmpty(e?.maxInFlight) });
  const rateLimit = h('input', { type: 'number', name: 'rateLimit', min: 0, step: 'any', inputmode: 'decimal', value: numberOrEmpty(e?.rateLimit) });
  const ordering = h('select', { name: 'ordering' },
    h('option', { value: 'unordered' }, 'Unordered: deliveries may overtake each other (fastest)'),
    h('option', { value: 'fifo' }, 'FIFO: one at a time, in the order events were published'));
  if (typeof e?.ordering === 'string') ordering.value = e.ordering;
  const flow = ['maxInFlight', 'rateLimit', 'ordering'].filter((p) => props.has(p));
  const flowControl = flow.length
    ? h('fieldset', { class: 'flow' }, h('legend', {}, 'Flow control (optional)'),
      props.has('maxInFlight') ? field('Most deliveries in flight at once', maxInFlight, 'Empty: no limit.') : null,
      props.has('rateLimit') ? field('Most deliveries per second', rateLimit, 'Empty: no limit.') : null,
      props.has('ordering') ? field('Ordering', ordering) : null)
    : null;

  const auth = endpointAuthFields(e, props);
  // Authentication and client certificates are HTTP's: hidden, and not sent, for a broker type.
  const authBox = h('div', {}, auth.el);
  destination.onType((broker) => (authBox.hidden = broker));
  const filtering = filterFields(props, e);
  const extraNames = [...props].filter((p) => !NAMED.has(p));
  const extras = h('textarea', { name: 'settings', rows: 4, class: 'mono', spellcheck: 'false' });
  if (e) extras.value = JSON.stringify(Object.fromEntries(extraNames.filter((n) => n in e).map((n) => [n, e[n]])), null, 2);
  const problem = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary' }, opts.submitLabel);
  const form = h('form', { class: 'endpoint-form' },
    destination.el, urlField,
    field('Description (optional)', description),
    h('fieldset', {}, h('legend', {}, 'Events to receive'),
      h('div', { class: 'check' }, everything, h('label', { for: everything.id }, 'All events')),
      boxes.map((b) => b.el)),
    headers?.el, authBox, signing, flowControl,
    filtering.el,
    extraNames.length ? field(`More settings (JSON: ${extraNames.join(', ')})`, extras, 'Optional. Leave {} for the defaults.') : null,
    problem, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    problem.replaceChildren();
    const fail = (message: string) => void problem.replaceChildren(notice('error', message));
    const events = everything.checked ? ['*'] : boxes.filter((b) => b.box.checked).map((b) => b.box.value);
    if (!events.length) return fail('Choose at least one event type, or All events.');
    const body: Record<string, unknown> = { url: url.value.trim(), description: description.value, events };
    const destinationProblem = destination.fill(body);
    if (destinationProblem) return fail(destinationProblem);
    if (headers) {
      const read = headers.read();
      if (typeof read === 'string') return fail(read);
      if (e || Object.keys(read).length) body.headers = read;
    }
    const authBody = authBox.hidden ? {} : auth.read();
    if (typeof authBody === 'string') return fail(authBody);
    Object.assign(body, authBody);
    if (!e && props.has('signatureScheme') && v1a.input.checked) body.signatureScheme = 'v1a';
    else if (!e && props.has('secret') && imported.value.trim()) body.secret = imported.value.trim();
    if (props.has('maxInFlight') && (e || maxInFlight.value)) body.maxInFlight = maxInFlight.value ? Number(maxInFlight.value) : null;
    if (props.has('rateLimit') && (e || rateLimit.value)) body.rateLimit = rateLimit.value ? Number(rateLimit.value) : null;
    if (props.has('ordering') && (e || ordering.value !== 'unordered')) body.ordering = ordering.value;
    const filterProblem = filtering.read(body);
    if (filterProblem) return fail(filterProblem);
    if (extraNames.length && extras.value.trim()) {
      try {
        Object.assign(body, JSON.parse(extras.value) as Record<string, unknown>);
      } catch {
        return fail('More settings: not valid JSON.');
      }
    }
    submit.disabled = true;
    try {
      await opts.onSubmit(body);
    } catch (err) {
      const message = (err as Error).message;
      fail(filtering.showProblem(message) ? `${message.split(':')[0]}: see above.` : message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

const numberOrEmpty = (v: unknown) => (typeof v === 'number' ? String(v) : '');
