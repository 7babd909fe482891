import type { Context } from 'hono';
import type { ApiDeps } from '../deps';
import { loadUiAssets, type UiAssets } from '../ui-assets';
import { createRouter } from '../router';

/**
 * The tenant portal (/portal) and the operator console (/console): one HTML shell each, whose
 * script calls the same JSON API as everyone else with a bearer token (a portal session, or the
 * admin token the operator types). No cookies, so no request is made on anyone's behalf (CSRF).
 */
const shell = (title: string, app: 'portal' | 'console') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title>
<link rel="stylesheet" href="/${app}/assets/app.css"><script src="/${app}/assets/${app}.js" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a><div id="app"><main id="main"><p>Loading…</p>
<noscript>This page needs JavaScript.</noscript></main></div></body></html>`;

const TYPES: Record<keyof UiAssets, string> = {
  'portal.js': 'text/javascript; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export function uiRoutes(_deps: ApiDeps) {
  const app = createRouter();
  for (const [name, title] of [['portal', 'Webhooks'], ['console', 'Hookline console']] as const) {
    const page = (c: Context) => {
      c.header('cache-control', 'no-store');
      return c.html(shell(title, name));
    };
    app.get(`/${name}`, page);
    app.get(`/${name}/`, page);
    app.get(`/${name}/assets/:file`, async (c) => {
      const file = c.req.param('file') as keyof UiAssets;
      if (!Object.hasOwn(TYPES, file) || (file.endsWith('.js') && file !== `${name}.js`)) return c.notFound();
      const assets = await loadUiAssets();
      return c.body(assets[file], 200, { 'content-type': TYPES[file], 'cache-control': 'no-cache' });
    });
  }
  return app;
}
