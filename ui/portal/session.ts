/**
 * The portal link carries its session token in the fragment (#session=pst_...), which browsers never
 * send to a server nor put in a Referer. It is moved into sessionStorage at once and the fragment
 * cleared, so a reload in the same tab keeps working and the address bar no longer shows it.
 */
const KEY = 'hookline.portal.session';

export function takeSessionFromUrl(): string | null {
  const match = /^#session=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(KEY, match[1]!);
    history.replaceState(null, '', `${location.pathname}#/endpoints`);
  }
  return sessionStorage.getItem(KEY);
}

export function forgetSession(): void {
  sessionStorage.removeItem(KEY);
}
