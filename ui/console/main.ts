import { createApi, enc, q, type Api } from '../shared/api';
import { field, h, notice, replace, table } from '../shared/dom';
import { when } from '../shared/format';
import { currentRoute, link, startRender } from '../shared/router';
import { actionButton, confirmButton, copyField, secretPanel } from '../shared/widgets';
import type { AdminDelivery, AdminEndpoint, ApiKey, PortalSession, Tenant } from '../../api/types';
import { homePage } from './home';

/**
 * The operator console: the admin token is typed into a form and kept in this tab's sessionStorage
 * (never in a URL, never a cookie); every call is the public JSON API with it as the bearer.
 */
const KEY = 'hookline.console.token';
const root = document.getElementById('app')!;
let token = sessionStorage.getItem(KEY);
const api: Api = createApi(() => token, () => {
  sessionStorage.removeItem(KEY);
  token = null;
  loginPage('That admin token was refused.');
});


function loginPage(problem?: string): void {
  const input = h('input', { type: 'password', name: 'token', required: true, autocomplete: 'current-password' });
  const form = h('form', {}, field('Admin token', input, 'HOOKLINE_ADMIN_TOKEN (npm run dev prints it). Kept in this tab only.'), h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    token = input.value.trim();
    try {
      await api.request('GET', '/v1/tenants?limit=1');
      sessionStorage.setItem(KEY, token);
      location.hash = link('home');
      void render();
    } catch {
      /* onUnauthorized shows the form again */
    }
  });
  replace(root, h('main', { id: 'main', class: 'narrow' }, h('h1', {}, 'Hookline console'), problem ? notice('error', problem) : null, form));
  input.focus();
}

function nav(active: string): HTMLElement {
  const item = (key: string, label: string) => h('li', {}, h('a', { href: link(key), ...(active === key ? { 'aria-current': 'page' } : {}) }, label));
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => (sessionStorage.removeItem(KEY), (token = null), loginPage()));
  return h('nav', { 'aria-label': 'Console' }, h('ul', {}, item('home', 'Overview'), item('tenants', 'Tenants'), item('endpoints', 'Failing endpoints'), item('search', 'Find a delivery'), h('li', {}, signOut)));
}

async function tenantsPage(main: HTMLElement, cursor?: string): Promise<void> {
  const page = await api.request<{ data: Tenant[]; nextCursor: string | null }>('GET', `/v1/tenants${q({ limit: 50, cursor })}`);
  const id = h('input', { type: 'text', name: 'id', required: true, pattern: '[A-Za-z0-9_.:\\-]{1,128}' });
  const name = h('input', { type: 'text', name: 'name' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form' }, field('Tenant id', id), field('Name', name), h('button', { type: 'submit', class: 'primary' }, 'Create tenant'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const t = await api.request<Tenant & { apiKey: string }>('POST', '/v1/tenants', { id: id.value.trim(), ...(name.value ? { name: name.value } : {}) });
      replace(out, secretPanel(`API key of ${t.id}`, t.apiKey, 'API key'), h('p', {}, h('a', { href: link('tenants', t.id) }, `Open ${t.id}`)));
    } catch (err) {
      replace(out, notice('error', (err as Error).message));
    }
  });
  replace(main, h('h2', {}, 'Tenants'), h('details', {}, h('summary', {}, 'Create a tenant'), form), out,
    page.data.length
      ? table(['Id', 'Name', 'Created', ''], page.data.map((t) => [h('span', { class: 'mono' }, t.id), t.name, when(t.createdAt), h('a', { href: link('tenants', t.id), 'aria-label': `Open ${t.id}` }, 'Open')]), 'Tenants')
      : notice('info', 'No tenants yet. Create one above: its API key is shown once, then publish events for it.'),
    page.nextCursor ? actionButton('Next page', () => tenantsPage(main, page.nextCursor!)) : null);
}

async function tenantPage(main: HTMLElement, id: string, flash?: Node[]): Promise<void> {
  const [tenant, keys, sessions] = await Promise.all([
    api.request<Tenant>('GET', `/v1/tenants/${enc(id)}`),
    api.request<{ data: ApiKey[] }>('GET', `/v1/tenants/${enc(id)}/api-keys`),
    api.request<{ data: PortalSession[] }>('GET', `/v1/tenants/${enc(id)}/portal-sessions`),
  ]);
  const out = h('div', { 'aria-live': 'polite' }, flash ?? null);
  const again = (...shown: Node[]) => tenantPage(main, id, shown);
  replace(main,
    h('p', {}, h('a', { href: link('tenants') }, '← Tenants')),
    h('h2', {}, tenant.name ? `${tenant.name} (${tenant.id})` : tenant.id),
    h('div', { class: 'row actions' },
      actionButton('Open a portal link', async () => {
        const s = await api.request<{ url: string; expiresAt: string }>('POST', `/v1/tenants/${enc(id)}/portal-sessions`, {});
        await again(h('section', { class: 'secret-panel' }, h('h3', {}, 'Portal link'),
          h('p', {}, `Works until ${when(s.expiresAt)}, for this tenant only. Give it to the tenant or open it yourself.`),
          copyField('Portal link', s.url, 'portal-url'),
          h('p', {}, h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', class: 'portal-link' }, 'Open the portal in a new tab'))));
      }, 'primary'),
      actionButton('New API key', async () => {
        const k = await api.request<{ apiKey: string }>('POST', `/v1/tenants/${enc(id)}/api-keys`, {});
        await again(secretPanel('New API key', k.apiKey, 'API key'), h('p', {}, 'Revoke the old key below once the tenant uses the new one.'));
      })),
    out,
    h('h3', {}, 'API keys'),
    table(['Key', 'Created', ''], keys.data.map((k) => [`hk_…${k.last4 ?? ''}`, when(k.createdAt),
      confirmButton('Revoke', `Revoke the key ending ${k.last4}? Requests with it fail at once.`, 'Revoke key', async () => {
        await api.request('DELETE', `/v1/tenants/${enc(id)}/api-keys/${enc(k.id)}`);
        await again();
      })]), 'API keys'),
    h('h3', {}, 'Live portal links'),
    sessions.data.length
      ? table(['Session', 'Expires', ''], sessions.data.map((s) => [h('span', { class: 'mono' }, s.id), when(s.expiresAt),
        confirmButton('Revoke', 'Revoke this portal link? Whoever has it is signed out at once.', 'Revoke link', async () => {
          await api.request('DELETE', `/v1/tenants/${enc(id)}/portal-sessions/${enc(s.id)}`);
          await again();
        })]), 'Portal links')
      : notice('info', 'None.'));
}

async function endpointsPage(main: HTMLElement, state: string): Promise<void> {
  const { data } = await api.request<{ data: AdminEndpoint[] }>('GET', `/v1/admin/endpoints${q({ state })}`);
  const select = h('select', { name: 'state' }, h('option', { value: 'failing', selected: state !== 'disabled' }, 'Failing or disabled'), h('option', { value: 'disabled', selected: state === 'disabled' }, 'Disabled only'));
  select.addEventListener('change', () => void endpointsPage(main, select.value));
  replace(main, h('h2', {}, 'Failing and disabled endpoints'), field('Show', select),
    data.length
      ? table(['Tenant', 'Endpoint', 'URL', 'State', 'Failures', 'Changed'], data.map((e) => [
        h('a', { href: link('tenants', e.tenantId) }, e.tenantId), h('a', { href: `${link('search')}?id=${enc(e.id)}`, class: 'mono' }, e.id), h('span', { class: 'mono url' }, e.url),
        h('span', { class: `badge ${e.enabled && e.circuit.state === 'closed' ? 's-pending' : 's-failed'}` },
          !e.enabled ? `disabled (${e.disabledReason ?? ''})` : e.circuit.state === 'open' ? `circuit open until ${when(e.circuit.nextProbeAt)}` : e.circuit.state === 'half_open' ? 'circuit half-open (probing)' : 'failing'),
        String(e.consecutiveFailures), when(e.updatedAt)]), 'Endpoints')
      : notice('success', 'Every endpoint is healthy.'));
}

async function searchPage(main: HTMLElement, initial: string): Promise<void> {
  const input = h('input', { type: 'search', name: 'id', required: true, value: initial, placeholder: 'dlv_…, an event id or ep_…' });
  const results = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', role: 'search' }, field('Delivery, event or endpoint id', input), h('button', { type: 'submit', class: 'primary' }, 'Find'));
  const run = async () => {
    const { data } = await api.request<{ data: AdminDelivery[] }>('GET', `/v1/admin/deliveries${q({ id: input.value.trim() })}`);
    replace(results, data.length
      ? table(['Delivery', 'Tenant', 'Endpoint', 'Event', 'Status', 'Attempts', 'Created', 'Workflow'], data.map((d) => [
        h('span', { class: 'mono' }, d.id), d.tenantId, h('span', { class: 'mono' }, d.endpointId), h('span', { class: 'mono' }, d.eventId),
        h('span', { class: `badge s-${d.status}` }, d.status), String(d.attemptCount), when(d.createdAt),
        d.workflowUrl ? h('a', { href: d.workflowUrl, target: '_blank', rel: 'noopener noreferrer' }, `${d.workflowId} in Temporal`) : h('span', { class: 'mono' }, d.workflowId)]), 'Deliveries')
      : notice('info', 'No delivery has that id, event id or endpoint id.'));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    history.replaceState(null, '', `${link('search')}?id=${enc(input.value.trim())}`);
    run().catch((err: Error) => replace(results, notice('error', err.message)));
  });
  replace(main, h('h2', {}, 'Find a delivery'), form, results);
  if (initial) await run();
}

async function render(): Promise<void> {
  if (!token) return loginPage();
  startRender();
  const { path, query } = currentRoute();
  const [section = 'home', id] = path;
  const main = h('main', { id: 'main', tabindex: -1 }, h('p', {}, 'Loading…'));
  replace(root, h('header', { class: 'top' }, h('p', { class: 'brand' }, 'Hookline console'), nav(section)), main);
  try {
    if (section === 'tenants' && id) await tenantPage(main, id);
    else if (section === 'endpoints') await endpointsPage(main, query.get('state') ?? 'failing');
    else if (section === 'search') await searchPage(main, query.get('id') ?? '');
    else if (section === 'tenants') await tenantsPage(main);
    else await homePage(api, main);
  } catch (err) {
    if (token) replace(main, notice('error', (err as Error).message));
  }
}

window.addEventListener('hashchange', () => void render());
void render();
