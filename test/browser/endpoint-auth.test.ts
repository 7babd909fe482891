import { waitFor } from '../../tools/testkit/wait';
import type { Browser, Page } from 'playwright-core';
import { makeTestPki, type TestPki } from '../../tools/testkit/certificates';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { startCheckingReceiver, type CheckingReceiver } from '../harness/auth-servers';
import { checkPage, launchChromium } from './browser';

/** The portal's endpoint form edits authentication and the client certificate; the endpoint page shows them. */
let stack: Stack;
let browser: Browser;
let page: Page;
let receiver: CheckingReceiver;
let pki: TestPki;
const T = { timeout: 20_000 };
const basic = `Basic ${Buffer.from('portal-user:portal-pw').toString('base64')}`;

beforeAll(async () => {
  pki = makeTestPki();
  [stack, browser, receiver] = await Promise.all([startStack(), launchChromium(), startCheckingReceiver((a) => a === basic)]);
  page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await stack?.stop();
});

test('a tenant sets basic auth, then a client certificate that expires soon: the page shows both and warns', async () => {
  const tenant = await stack.newTenant('portal-auth');
  await page.goto((await stack.admin.createPortalSession(tenant.id)).url);
  await page.getByRole('link', { name: 'Add endpoint' }).click();
  await page.getByLabel('Endpoint URL').fill(receiver.url);
  await page.getByLabel('Description (optional)').fill('Checks credentials');
  await page.getByLabel('Authentication', { exact: true }).selectOption('basic');
  expect(await page.getByLabel('Client secret').isVisible()).toBe(false);
  await page.getByLabel('Username', { exact: true }).fill('portal-user');
  await page.getByLabel('Password', { exact: true }).fill('portal-pw');
  await checkPage(page, 'auth-01-new-endpoint-basic');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await page.getByRole('textbox', { name: 'Signing secret' }).waitFor(T);
  const [created] = (await tenant.api.listWebhooks()).data;
  expect(created!.auth).toEqual({ type: 'basic', username: 'portal-user' });

  await page.getByRole('link', { name: /go to the endpoint/i }).click();
  await page.locator('dd').getByText('HTTP Basic as portal-user').waitFor(T);
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'success' }).waitFor(T);
  expect(receiver.requests.at(-1)!.headers.authorization).toBe(basic);

  // The stored password is never put back in the form; leaving the auth alone keeps it.
  await page.getByText('Edit endpoint').click();
  expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
  await page.getByLabel('Client certificate (PEM)').fill(pki.expiringSoon.cert);
  await page.getByLabel('Private key (PEM)').fill(pki.expiringSoon.key);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved.').waitFor(T);
  await page.locator('dd').getByText('CN=soon-client').waitFor(T);
  await page.getByText(/Certificate: the client certificate expires on .* \(in [45] days\)/).waitFor(T);
  await checkPage(page, 'auth-02-endpoint-certificate-warning');
  expect(await page.content()).not.toContain(pki.expiringSoon.key.split('\n')[1]!);
  const saved = await tenant.api.getWebhook(created!.id);
  expect(saved).toMatchObject({ auth: { type: 'basic', username: 'portal-user' }, tls: { subject: 'CN=soon-client' } });

  // A key that does not match its certificate: the API's 400 shows in the form.
  await page.getByText('Edit endpoint').click();
  await page.getByLabel('Client certificate (PEM)').fill(pki.client.cert);
  await page.getByLabel('Private key (PEM)').fill(pki.other.key);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText(/tls\.clientKey: does not match tls\.clientCertificate/).waitFor(T);

  // Removing both: None, and the remove box.
  await page.getByLabel('Client certificate (PEM)').fill('');
  await page.getByLabel('Private key (PEM)').fill('');
  await page.getByLabel('Authentication', { exact: true }).selectOption('none');
  await page.getByLabel('Remove the client certificate').check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  // The earlier "Saved." may still be on the page: wait for the save itself.
  await waitFor(async () => {
    const e = await tenant.api.getWebhook(created!.id);
    return e.auth === null && e.tls === null;
  }, { timeoutMs: 20_000, what: 'auth and tls removed' });
  await page.getByText('Saved.').waitFor(T);
});

test('OAuth2 with the client secret in the form body: the form sets it, the page says so, the edit form keeps it', async () => {
  const tenant = await stack.newTenant('portal-oauth');
  // The same tab as the first test: the second tenant's link must replace the first one's session.
  await page.goto((await stack.admin.createPortalSession(tenant.id)).url);
  await page.getByRole('link', { name: 'Add endpoint' }).click();
  await page.getByLabel('Endpoint URL').fill(receiver.url);
  await page.getByLabel('Authentication', { exact: true }).selectOption('oauth2');
  await page.getByLabel('Token URL').fill('http://127.0.0.1:9/oauth/token');
  await page.getByLabel('Client id').fill('portal-client');
  await page.getByLabel('Client secret').fill('portal-client-secret');
  await page.getByLabel('Client authentication method').selectOption('client_secret_post');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await page.getByRole('textbox', { name: 'Signing secret' }).waitFor(T);
  const [created] = (await tenant.api.listWebhooks()).data;
  expect(created!.auth).toEqual({ type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'portal-client', clientAuthMethod: 'client_secret_post' });

  await page.getByRole('link', { name: /go to the endpoint/i }).click();
  await page.locator('dd').getByText(/OAuth2 client credentials \(portal-client at .*, secret in the form body\)/).waitFor(T);
  await page.getByText('Edit endpoint').click();
  expect(await page.getByLabel('Client authentication method').inputValue()).toBe('client_secret_post');
  expect(await page.getByLabel('Client secret').inputValue()).toBe('');
});
