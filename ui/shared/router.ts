/** Hash routes (#/endpoints/ep_1): reload keeps the page, and the server serves one shell. */
export type Route = { path: string[]; query: URLSearchParams };

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [p = '', qs = ''] = raw.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) };
}

export const link = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

let generation = 0;
/** Each render gets a token; an old page's timers stop when a newer render starts. */
export function startRender(): () => boolean {
  const mine = ++generation;
  return () => mine === generation;
}
