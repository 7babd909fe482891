import { enc, type Api } from '../shared/api';
import { h, notice, replace, table, type Child } from '../shared/dom';
import { pretty, when } from '../shared/format';
import { link } from '../shared/router';
import { verifyPanel } from '../shared/verify';
import { actionButton, confirmButton, poll, secretPanel } from '../shared/widgets';
import { deliveryLog } from './deliveries';
import { endpointForm } from './endpoint-form';
import { KNOWN_ENDPOINT_FIELDS, type Endpoint } from './types';

const REASONS: Record<string, string> = {
  consecutive_failures: 'too many failed deliveries in a row',
  gone: 'the receiver answered 410 Gone',
  manual: 'disabled by hand',
};

const eventList = (events: string[]) => (events.includes('*') ? 'All events' : events.join(', '));

export function stateBadge(e: Endpoint): HTMLElement {
  if (!e.enabled) return h('span', { class: 'badge s-failed' }, `Disabled${e.disabledReason ? `: ${REASONS[e.disabledReason] ?? e.disabledReason}` : ''}`);
  if (e.consecutiveFailures > 0) return h('span', { class: 'badge s-pending' }, `Enabled, failing (${e.consecutiveFailures} in a row)`);
  return h('span', { class: 'badge s-success' }, 'Enabled');
}

export async function endpointsPage(api: Api, main: HTMLElement): Promise<void> {
  const { data } = await api.request<{ data: Endpoint[] }>('GET', '/v1/webhooks');
  replace(main,
    h('div', { class: 'title-row' }, h('h2', {}, 'Endpoints'), h('a', { class: 'button primary', href: link('endpoints', 'new') }, 'Add endpoint')),
    data.length
      ? table(['URL', 'State', 'Failures', 'Events', ''], data.map((e) => [
        h('span', { class: 'mono url' }, e.url), stateBadge(e), String(e.consecutiveFailures), eventList(e.events),
        h('a', { href: link('endpoints', e.id), 'aria-label': `Manage ${e.url}` }, 'Manage'),
      ]), 'Your webhook endpoints')
      : notice('info', 'No endpoints yet. Add one to start receiving webhooks.'));
}

export async function newEndpointPage(api: Api, main: HTMLElement): Promise<void> {
  const form = await endpointForm(api, {
    submitLabel: 'Create endpoint',
    onSubmit: async (body) => {
      const created = await api.request<Endpoint & { secret: string }>('POST', '/v1/webhooks', body);
      replace(main,
        h('h2', {}, 'Endpoint created'),
        h('p', {}, 'Hookline signs every request to ', h('span', { class: 'mono' }, created.url), ' with this secret.'),
        secretPanel('Your signing secret', created.secret),
        h('p', {}, h('a', { class: 'button', href: link('endpoints', created.id) }, 'I have stored it: go to the endpoint')));
      main.querySelector<HTMLButtonElement>('.secret-panel button')?.focus();
    },
  });
  replace(main, h('p', {}, h('a', { href: link('endpoints') }, '← All endpoints')), h('h2', {}, 'Add an endpoint'), form);
}

/** Fields this portal does not know by name (custom headers, flow control, ...), shown as they come. */
function extraProps(e: Endpoint): [string, Child][] {
  return Object.entries(e)
    .filter(([k, v]) => !KNOWN_ENDPOINT_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => [k, typeof v === 'object' && v !== null ? h('pre', { class: 'code' }, pretty(v)) : String(v)]);
}

export async function endpointPage(api: Api, main: HTMLElement, id: string, isCurrent: () => boolean): Promise<void> {
  const e = await api.request<Endpoint>('GET', `/v1/webhooks/${enc(id)}`);
  const summary = h('div');
  const toggleBox = h('span');
  let shownEnabled: boolean | undefined;
  const drawToggle = (x: Endpoint) => {
    if (shownEnabled === x.enabled) return;
    shownEnabled = x.enabled;
    replace(toggleBox, actionButton(x.enabled ? 'Disable' : 'Enable', async () => {
      drawSummary(await api.request<Endpoint>('PATCH', `/v1/webhooks/${enc(id)}`, { enabled: !x.enabled }));
      replace(out, notice('success', x.enabled ? 'Disabled: no deliveries are sent until you enable it.' : 'Enabled: the failure count starts again from 0.'));
    }));
  };
  const drawSummary = (x: Endpoint) => (drawToggle(x), replace(summary, h('dl', { class: 'props' },
      ([['State', stateBadge(x)], ['URL', h('span', { class: 'mono url' }, x.url)], ['Description', x.description || '—'],
        ['Events', eventList(x.events)], ['Failures in a row', String(x.consecutiveFailures)],
        ['Disabled at', when(x.disabledAt)], ['Endpoint id', h('span', { class: 'mono' }, x.id)], ['Created', when(x.createdAt)],
        ...extraProps(x)] as [string, Child][]).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))));
  const out = h('div', { 'aria-live': 'polite' });
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
  replace(main,
    h('p', {}, h('a', { href: link('endpoints') }, '← All endpoints')),
    h('h2', {}, e.description || 'Endpoint'),
    summary,
    h('div', { class: 'row actions' },
      actionButton('Send test event', async () => {
        const { deliveryId } = await api.request<{ deliveryId: string }>('POST', `/v1/webhooks/${enc(id)}/test`);
        replace(out, notice('success', 'Test event sent. It appears in the log below: '), h('a', { href: link('deliveries', deliveryId) }, 'open the delivery'));
        log.dispatchEvent(new Event('hookline:refresh'));
      }, 'primary'),
      toggleBox,
      confirmButton('Rotate secret', 'Make a new signing secret? The current one keeps working for 24 hours, so you can update your receiver.', 'Rotate now', async () => {
        const { secret } = await api.request<{ secret: string }>('POST', `/v1/webhooks/${enc(id)}/rotate-secret`, {});
        replace(out, secretPanel('Your new signing secret', secret));
        out.querySelector<HTMLButtonElement>('button')?.focus();
      }, false),
      confirmButton('Delete endpoint', 'Delete this endpoint with its delivery log? This cannot be undone.', 'Delete for good', async () => {
        await api.request('DELETE', `/v1/webhooks/${enc(id)}`);
        location.hash = link('endpoints');
      })),
    out,
    edit,
    await recoverForm(api, id, out),
    log,
    verifyPanel(e));
  // The state (failures, disabled) follows the deliveries while any is still running.
  poll(async () => {
    const fresh = await api.request<Endpoint>('GET', `/v1/webhooks/${enc(id)}`);
    drawSummary(fresh);
    return true;
  }, 1500, isCurrent);
}

/** "Recover since…": resend every failed delivery since a time, where this Hookline has the route. */
async function recoverForm(api: Api, id: string, out: HTMLElement): Promise<HTMLElement> {
  const section = h('details', { class: 'recover' }, h('summary', {}, 'Recover failed deliveries since…'));
  if (!(await api.has('post', '/v1/webhooks/{id}/recover'))) {
    section.append(notice('info', 'Recovering in bulk needs a newer Hookline (POST /v1/webhooks/{id}/recover). Meanwhile, open a failed delivery and press Redeliver.'));
    return section;
  }
  const since = h('input', { type: 'datetime-local', name: 'since', required: true, id: 'recover-since' });
  const form = h('form', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'recover-since' }, 'Since'), since), h('button', { type: 'submit' }, 'Recover'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api.request<{ id?: string }>('POST', `/v1/webhooks/${enc(id)}/recover`, { since: new Date(since.value).toISOString() });
      replace(out, notice('success', `Recovery started${r?.id ? ` (${r.id})` : ''}: the failed deliveries since then are sent again.`));
    } catch (err) {
      replace(out, notice('error', (err as Error).message));
    }
  });
  section.append(form);
  return section;
}
