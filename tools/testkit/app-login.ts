/** The same database as the app's login role, hookline_app (made by the migrations; trust auth on local servers). */
export function appLogin(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = 'hookline_app';
  url.password = '';
  return url.toString();
}
