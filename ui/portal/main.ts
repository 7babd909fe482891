import { createApi, type Api } from '../shared/api';
import { h, notice, replace } from '../shared/dom';
import { currentRoute, link, startRender } from '../shared/router';
import { cataloguePage } from './catalogue';
import { deliveryLog, deliveryPage } from './deliveries';
import { endpointPage, endpointsPage, newEndpointPage } from './endpoints';
import { forgetSession, takeSessionFromUrl } from './session';

/**
 * The tenant portal: a producer links to /portal#session=<token> (or frames it) from its own product.
 * Every call is the public JSON API with the session token as the bearer.
 */
const root = document.getElementById('app')!;
let token = takeSessionFromUrl();
let refused: string | null = null;

function refusedPage(message: string): void {
  forgetSession();
  token = null;
  const why = /expired/i.test(message) ? 'This link has expired.'
    : /revoked/i.test(message) ? 'This link was revoked.'
      : message === 'missing' ? 'Open this page from a portal link.' : 'This link is not valid.';
  replace(root, h('main', { id: 'main', class: 'narrow' },
    h('h1', {}, why),
    h('p', {}, 'Portal links work for a short time only. Go back to the product you came from and open webhook settings again for a fresh link.')));
}

const api: Api = createApi(() => token, (message) => {
  refused = message;
  refusedPage(message);
});

function nav(active: string): HTMLElement {
  const item = (href: string, label: string, key: string) =>
    h('li', {}, h('a', { href, ...(active === key ? { 'aria-current': 'page' } : {}) }, label));
  return h('nav', { 'aria-label': 'Portal' }, h('ul', {},
    item(link('endpoints'), 'Endpoints', 'endpoints'),
    item(link('log'), 'Delivery log', 'log'),
    item(link('catalogue'), 'Event catalogue', 'catalogue')));
}

async function render(moved = false): Promise<void> {
  if (refused) return;
  if (!token) return refusedPage('missing');
  const isCurrent = startRender();
  const { path } = currentRoute();
  const [section = 'endpoints', id] = path;
  const main = h('main', { id: 'main', tabindex: -1 });
  replace(root, h('header', { class: 'top' }, h('p', { class: 'brand' }, 'Webhooks'), nav(section)), main);
  main.append(h('p', {}, 'Loading…'));
  try {
    if (section === 'endpoints' && id === 'new') await newEndpointPage(api, main);
    else if (section === 'endpoints' && id) await endpointPage(api, main, id, isCurrent);
    else if (section === 'deliveries' && id) await deliveryPage(api, main, id, isCurrent);
    else if (section === 'log') replace(main, h('h2', {}, 'Delivery log'), await deliveryLog(api, isCurrent, {}));
    else if (section === 'catalogue') await cataloguePage(api, main);
    else await endpointsPage(api, main);
  } catch (err) {
    if (!refused && isCurrent()) replace(main, notice('error', (err as Error).message), h('p', {}, h('a', { href: link('endpoints') }, 'Back to endpoints')));
  }
  // After a move to another page, the focus goes to its heading, so a screen reader announces it.
  if (moved && isCurrent() && !main.contains(document.activeElement)) focusHeading(main);
}

function focusHeading(main: HTMLElement): void {
  const title = main.querySelector<HTMLElement>('h2');
  if (!title) return;
  title.tabIndex = -1;
  title.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => {
  // Another portal link opened in this tab changes only the fragment, so the page is not loaded
  // again: the link's own session replaces the one held, or the tab would stay on the first tenant.
  if (location.hash.startsWith('#session=')) {
    token = takeSessionFromUrl();
    refused = null;
  }
  void render(true);
});
void render();
