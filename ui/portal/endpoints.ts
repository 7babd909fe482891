import { ApiError, enc, type Api } from '../shared/api';
import { field, h, notice, replace, table, type Child } from '../shared/dom';
import { pretty, when } from '../shared/format';
import { link } from '../shared/router';
import { verifyPanel } from '../shared/verify';
import { actionButton, confirmButton, copyField, poll, secretPanel } from '../shared/widgets';
import { deliveryLog } from './deliveries';
import { destinationLabel, destinationRows } from './destination-view';
import { endpointForm } from './endpoint-form';
import { endpointAuthRows } from './endpoint-auth-fields';
import { filterRows } from './endpoint-filter-fields';
import { endpointStatsPanel } from './endpoint-stats';
import { percent } from '../shared/chart';
import type { TenantStats } from '../../api/types';
import { recoveryProgress } from './recovery';
import { KNOWN_ENDPOINT_FIELDS, type Endpoint } from './types';

const REASONS: Record<string, string> = {
  consecutive_failures: 'too many failed deliveries in a row',
  gone: 'the receiver answered 410 Gone',
  manual: 'disabled by hand',
};

const eventList = (events: string[]) => (events.includes('*') ? 'All events' : events.join(', '));

export function stateBadge(e: Endpoint): HTMLElement {
  if (!e.enabled) return h('span', { class: 'badge s-failed' }, `Disabled${e.disabledReason ? `: ${REASONS[e.disabledReason] ?? e.disabledReason}` : ''}`);
  if (e.circuit?.state === 'open') return h('span', { class: 'badge s-failed' }, `Enabled, circuit open: deliveries wait until ${new Date(e.circuit.nextProbeAt ?? Date.now()).toLocaleTimeString()}`);
  if (e.circuit?.state === 'half_open') return h('span', { class: 'badge s-pending' }, 'Enabled, circuit half-open: one delivery is testing the receiver');
  if (e.consecutiveFailures > 0) return h('span', { class: 'badge s-pending' }, `Enabled, failing (${e.consecutiveFailures} in a row)`);
  return h('span', { class: 'badge s-success' }, 'Enabled');
}

/** Flow-control settings in words ("at most 5 in flight · 10/s · FIFO"), for the fields the API reports. */
export function flowControl(e: Endpoint): string {
  const parts: string[] = [];
  if ('maxInFlight' in e) parts.push(typeof e.maxInFlight === 'number' ? `at most ${e.maxInFlight} in flight` : 'no in-flight limit');
  if ('rateLimit' in e) parts.push(typeof e.rateLimit === 'number' ? `at most ${e.rateLimit}/s` : 'no rate limit');
  if (typeof e.ordering === 'string') parts.push(e.ordering === 'fifo' ? 'in order (FIFO)' : 'unordered');
  return parts.join(' · ');
}

const schemeName = (e: Endpoint) => (e.signatureScheme === 'v1a' ? 'v1a (Ed25519, public key)' : 'v1 (HMAC-SHA256, secret)');

export async function endpointsPage(api: Api, main: HTMLElement): Promise<void> {
  const [{ data }, stats] = await Promise.all([
    api.request<{ data: Endpoint[] }>('GET', '/v1/webhooks'),
    // The list still shows without its figures if they cannot be read.
    api.request<TenantStats>('GET', '/v1/stats').catch(() => null),
  ]);
  const byEndpoint = new Map((stats?.byEndpoint ?? []).map((e) => [e.endpointId, e]));
  const lastDelivery = (id: string) => {
    const e = byEndpoint.get(id);
    const last = [e?.lastSuccessAt, e?.lastFailureAt].filter((x): x is string => Boolean(x)).sort().pop();
    return last ? when(last) : 'None in 24 h';
  };
  const withFlow = data.some((e) => flowControl(e) !== '');
  replace(main,
    h('div', { class: 'title-row' }, h('h2', {}, 'Endpoints'), h('a', { class: 'button primary', href: link('endpoints', 'new') }, 'Add endpoint')),
    data.length
      ? table(['Endpoint', 'State', 'Success rate (24 h)', 'Last delivery', 'Events', ...(withFlow ? ['Flow control'] : []), ''], data.map((e) => [
        h('div', {}, h('span', { class: 'mono url' }, destinationLabel(e)), e.description ? h('div', { class: 'description' }, e.description) : null),
        stateBadge(e), percent(byEndpoint.get(e.id)?.successRate), lastDelivery(e.id), eventList(e.events),
        ...(withFlow ? [flowControl(e) || '—'] : []),
        h('a', { href: link('endpoints', e.id), 'aria-label': `Manage ${destinationLabel(e)}` }, 'Manage'),
      ]), 'Your webhook endpoints')
      : notice('info', 'No endpoints yet. Add one with the button above: give the URL of your receiver and choose the events it takes.'));
}

/** The public key of a v1a endpoint: not a secret, so readable any time, with a copy button. */
const publicKeyPanel = (publicKey: string, title = 'Public key') => h('section', { class: 'key-panel', 'aria-label': title },
  h('p', {}, 'Your receiver verifies each request with this Ed25519 public key. It is not a secret: you can read it here any time.'),
  copyField('Public key', publicKey, 'public-key'));

export async function newEndpointPage(api: Api, main: HTMLElement): Promise<void> {
  const form = await endpointForm(api, {
    submitLabel: 'Create endpoint',
    onSubmit: async (body) => {
      const created = await api.request<Endpoint & { secret?: string }>('POST', '/v1/webhooks', body);
      const go = h('p', {}, h('a', { class: 'button', href: link('endpoints', created.id) }, created.secret ? 'I have stored it: go to the endpoint' : 'Go to the endpoint'));
      if (created.secret) {
        replace(main,
          h('h2', {}, 'Endpoint created'),
          h('p', {}, 'Hookline signs every request to ', h('span', { class: 'mono' }, created.url), ' with this secret.'),
          secretPanel('Your signing secret', created.secret), go);
      } else {
        replace(main,
          h('h2', {}, 'Endpoint created'),
          h('p', {}, 'Hookline signs every request to ', h('span', { class: 'mono' }, created.url), ' with an Ed25519 key of its own (v1a).'),
          typeof created.publicKey === 'string' ? publicKeyPanel(created.publicKey) : null, go);
      }
      main.querySelector<HTMLButtonElement>('section button')?.focus();
    },
  });
  replace(main, h('p', {}, h('a', { href: link('endpoints') }, '← All endpoints')), h('h2', {}, 'Add an endpoint'), form);
}

/** Fields this portal does not know by name, shown as they come. */
function extraProps(e: Endpoint): [string, Child][] {
  return Object.entries(e)
    .filter(([k, v]) => !KNOWN_ENDPOINT_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => [k, typeof v === 'object' && v !== null ? h('pre', { class: 'code' }, pretty(v)) : String(v)]);
}

function headerList(headers: unknown): Child {
  const entries = Object.entries((headers ?? {}) as Record<string, string>);
  if (!entries.length) return 'None';
  return h('ul', { class: 'header-list' }, entries.map(([k, v]) => h('li', { class: 'mono' }, `${k}: ${v}`)));
}

export async function endpointPage(api: Api, main: HTMLElement, id: string, isCurrent: () => boolean): Promise<void> {
  const e = await api.request<Endpoint>('GET', `/v1/webhooks/${enc(id)}`);
  const summary = h('div');
  const keyBox = h('div');
  const toggleBox = h('div', { class: 'toggle' });
  const out = h('div', { 'aria-live': 'polite' });
  const progress = h('div');
  let shown: Endpoint = e;
  let shownEnabled: boolean | undefined;
  let shownKey: string | null | undefined;
  const showRecovery = (recoveryId: string) => replace(progress, recoveryProgress(api, recoveryId, isCurrent, () => log.dispatchEvent(new Event('hookline:refresh'))));

  const drawToggle = (x: Endpoint) => {
    if (shownEnabled === x.enabled) return;
    shownEnabled = x.enabled;
    if (x.enabled) {
      replace(toggleBox, actionButton('Disable', async () => {
        drawSummary(await api.request<Endpoint>('PATCH', `/v1/webhooks/${enc(id)}`, { enabled: false }));
        replace(out, notice('success', 'Disabled: no deliveries are sent until you enable it.'));
      }));
      return;
    }
    const alsoSkipped = h('input', { type: 'checkbox', name: 'recoverSkipped', checked: true });
    replace(toggleBox,
      actionButton('Enable', async () => {
        const body = alsoSkipped.checked ? { enabled: true, recoverSkipped: true } : { enabled: true };
        const answer = await api.request<Endpoint & { recoveryId?: string }>('PATCH', `/v1/webhooks/${enc(id)}`, body);
        drawSummary(answer);
        replace(out, notice('success', 'Enabled: the failure count starts again from 0.'));
        if (answer.recoveryId) showRecovery(answer.recoveryId);
        log.dispatchEvent(new Event('hookline:refresh'));
      }, 'primary'),
      h('div', { class: 'check' }, alsoSkipped, h('label', { for: (alsoSkipped.id = `skip-${id}`) }, 'Also re-send what was skipped while it was disabled')));
  };
  const drawKey = (x: Endpoint) => {
    const key = x.signatureScheme === 'v1a' && typeof x.publicKey === 'string' ? x.publicKey : null;
    if (key === shownKey) return;
    shownKey = key;
    replace(keyBox, key ? publicKeyPanel(key) : null);
  };
  const drawSummary = (x: Endpoint) => {
    shown = x;
    drawToggle(x);
    drawKey(x);
    const flow = flowControl(x);
    replace(summary, h('dl', { class: 'props' },
      ([['State', stateBadge(x)], ...destinationRows(x), ['Description', x.description || '—'],
        ['Events', eventList(x.events)], ['Failures in a row', String(x.consecutiveFailures)],
        ['Disabled at', when(x.disabledAt)], ['Signature scheme', schemeName(x)], ['Custom headers', headerList(x.headers)],
        ...(flow ? [['Flow control', flow]] : []),
        ...endpointAuthRows(x),
        ...filterRows(x),
        ...(x.circuit && x.circuit.state !== 'closed'
          ? [['Circuit', `${x.circuit.state === 'open' ? 'open' : 'half-open'} since ${when(x.circuit.openedAt)}${x.circuit.nextProbeAt ? `; next probe ${when(x.circuit.nextProbeAt)}` : ''}`]]
          : []),
        ['Endpoint id', h('span', { class: 'mono' }, x.id)], ['Created', when(x.createdAt)],
        ...extraProps(x)] as [string, Child][]).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  };
  drawSummary(e);
  const log = await deliveryLog(api, isCurrent, { endpointId: id });
  const edit = h('details', { class: 'edit' }, h('summary', {}, 'Edit endpoint'),
    await endpointForm(api, {
      endpoint: e, submitLabel: 'Save changes',
      onSubmit: async (body) => {
        drawSummary(await api.request<Endpoint>('PATCH', `/v1/webhooks/${enc(id)}`, body));
        replace(out, notice('success', 'Saved.'));
        edit.open = false;
      },
    }));
  // Rotation: a v1 endpoint may import a whsec_ secret as its new one; a v1a endpoint gets a new key pair.
  const rotateImport = h('input', { type: 'password', name: 'rotate-secret', class: 'mono', spellcheck: 'false', autocomplete: 'off', placeholder: 'whsec_…' });
  const rotate = confirmButton(e.signatureScheme === 'v1a' ? 'Rotate key' : 'Rotate secret', 'Make a new signing key? The current one keeps signing for 24 hours, so you can update your receiver.', 'Rotate now', async () => {
    const imported = rotateImport.value.trim();
    const answer = await api.request<{ secret?: string; publicKey?: string }>('POST', `/v1/webhooks/${enc(id)}/rotate-secret`, imported ? { secret: imported } : {});
    rotateImport.value = '';
    if (answer.secret) replace(out, secretPanel('Your new signing secret', answer.secret));
    else if (answer.publicKey) replace(out, h('h3', {}, 'Your new public key'), publicKeyPanel(answer.publicKey, 'New public key'));
    out.querySelector<HTMLButtonElement>('button')?.focus();
    drawSummary(await api.request<Endpoint>('GET', `/v1/webhooks/${enc(id)}`));
  }, false, () => (shown.signatureScheme === 'v1a' ? null : field('Import an existing secret (optional)', rotateImport, 'Leave empty for a new secret.')));

  replace(main,
    h('p', {}, h('a', { href: link('endpoints') }, '← All endpoints')),
    h('h2', {}, e.description || 'Endpoint'),
    summary,
    keyBox,
    h('div', { class: 'row actions' },
      actionButton('Send test event', async () => {
        const { deliveryId } = await api.request<{ deliveryId: string }>('POST', `/v1/webhooks/${enc(id)}/test`);
        replace(out, notice('success', 'Test event sent. It appears in the log below: '), h('a', { href: link('deliveries', deliveryId) }, 'open the delivery'));
        log.dispatchEvent(new Event('hookline:refresh'));
      }, 'primary'),
      toggleBox,
      rotate,
      confirmButton('Delete endpoint', 'Delete this endpoint with its delivery log? This cannot be undone.', 'Delete for good', async () => {
        await api.request('DELETE', `/v1/webhooks/${enc(id)}`);
        location.hash = link('endpoints');
      })),
    out,
    progress,
    endpointStatsPanel(api, id),
    edit,
    recoverForm(api, id, (recoveryId) => showRecovery(recoveryId)),
    log,
    verifyPanel(e));
  // The state (failures, disabled) follows the deliveries while any is still running.
  poll(async () => {
    drawSummary(await api.request<Endpoint>('GET', `/v1/webhooks/${enc(id)}`));
    return true;
  }, 1500, isCurrent);
}

/** "Recover since…": re-send the endpoint's failed and/or skipped deliveries in a time range (POST /v1/webhooks/:id/recover). */
function recoverForm(api: Api, id: string, started: (recoveryId: string) => void): HTMLElement {
  const since = h('input', { type: 'datetime-local', name: 'since', required: true, step: 1 });
  const until = h('input', { type: 'datetime-local', name: 'until', step: 1 });
  const box = (value: string, label: string) => {
    const input = h('input', { type: 'checkbox', name: 'statuses', value, checked: true, id: `recover-${value}` });
    return { input, el: h('div', { class: 'check' }, input, h('label', { for: input.id }, label)) };
  };
  const failed = box('failed', 'Failed deliveries');
  const skipped = box('skipped', 'Skipped deliveries (sent while the endpoint was disabled)');
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Recover');
  const form = h('form', { class: 'recover-form' },
    field('Since', since), field('Until (optional)', until, 'Empty: until now.'),
    h('fieldset', {}, h('legend', {}, 'Re-send'), failed.el, skipped.el),
    problem, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    problem.replaceChildren();
    const statuses = [failed, skipped].filter((b) => b.input.checked).map((b) => b.input.value);
    if (!statuses.length) return void problem.replaceChildren(notice('error', 'Choose failed, skipped, or both.'));
    const body: Record<string, unknown> = { since: new Date(since.value).toISOString(), statuses };
    if (until.value) body.until = new Date(until.value).toISOString();
    submit.disabled = true;
    try {
      // The same request is the same recovery (its id is a hash of it): a fresh key per press means "again, now".
      const { recoveryId } = await api.request<{ recoveryId: string }>('POST', `/v1/webhooks/${enc(id)}/recover`, body, { 'idempotency-key': `portal-${Date.now()}-${Math.random().toString(36).slice(2)}` });
      started(recoveryId);
    } catch (err) {
      replace(problem, notice('error', (err as Error).message),
        err instanceof ApiError && err.status === 409 ? notice('info', 'Press Enable above first; it can also re-send what was skipped while the endpoint was disabled.') : null);
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', { class: 'recover' }, h('summary', {}, 'Recover since…'),
    h('p', {}, 'Re-send, oldest first, what failed or was skipped in a time range (one delivery per event). Deliveries that arrive twice carry the same webhook-id.'),
    form);
}
