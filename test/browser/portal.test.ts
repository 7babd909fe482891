import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { verifyAsymmetricWebhook } from '../../domain/endpoint-keys';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { waitFor } from '../../tools/testkit/wait';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { checkPage, launchChromium } from './browser';

/**
 * The tenant portal and the operator console in a real browser (Debian's chromium) against the real
 * stack: API on a real port, worker, Temporal, Postgres, and a real receiver. One page walks through
 * what a tenant does, test by test, in order.
 */
const TEMPORAL_UI = 'http://temporal-ui.example:8233';
let stack: Stack;
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const T = { timeout: 20_000 };

/** A producer's page that frames the portal link given in ?src= (another origin than Hookline's). */
async function startProducerSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    const attr = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Producer</title><h1>Producer settings</h1><iframe title="Webhooks" src="${attr}" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
let allowedSite: { url: string; server: Server };
let otherSite: { url: string; server: Server };

beforeAll(async () => {
  [allowedSite, otherSite] = await Promise.all([startProducerSite(), startProducerSite()]);
  [stack, receiver, browser] = await Promise.all([
    startStack({
      HOOKLINE_DISABLE_AFTER_FAILURES: '2', HOOKLINE_RETRY_SCHEDULE: '100ms,100ms', HOOKLINE_TEMPORAL_UI_URL: TEMPORAL_UI,
      HOOKLINE_PORTAL_FRAME_ANCESTORS: new URL(allowedSite.url).origin,
    }),
    startReceiver(),
    launchChromium(),
  ]);
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  for (const site of [allowedSite, otherSite]) site?.server.close();
  await receiver?.close();
  await stack?.stop();
});

const heading = (name: string | RegExp) => page.getByRole('heading', { name });
const button = (name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' });

describe('the tenant portal', () => {
  let tenant: Awaited<ReturnType<Stack['newTenant']>>;
  let endpointId: string;
  /** The receiver's requests whose body names `documentId`, from index `from` on. */
  const arrived = (documentId: string, from = 0) => receiver.requests.slice(from).filter((r) => r.body.includes(`"${documentId}"`));
  /** A datetime-local value (the browser's local time) for `ms` since the epoch. */
  const localInput = (ms: number) => page.evaluate((at) => {
    const d = new Date(at - new Date(at).getTimezoneOffset() * 60_000);
    return d.toISOString().slice(0, 19);
  }, ms);

  test('opens from a portal link, which leaves the address bar', async () => {
    tenant = await stack.newTenant('portal');
    const { url } = await stack.admin.createPortalSession(tenant.id);
    await page.goto(url);
    await heading('Endpoints').waitFor(T);
    expect(page.url()).not.toContain('pst_');
    await page.getByText('No endpoints yet').waitFor(T);
    await checkPage(page, '01-portal-endpoints-empty');
  });

  test('creates an endpoint with a custom header and shows its secret once; a reload does not show it again', async () => {
    await page.getByRole('link', { name: 'Add endpoint' }).click();
    await heading('Add an endpoint').waitFor(T);
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill('Contracts service');
    await button('Add header').click();
    await page.getByLabel('Header 1 name').fill('X-Receiver-Token');
    await page.getByLabel('Header 1 value').fill('rcv_first');
    await checkPage(page, '02-portal-new-endpoint');
    await button('Create endpoint').click();
    const secretBox = page.getByRole('textbox', { name: 'Signing secret' });
    await secretBox.waitFor(T);
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByText('It will not be shown again').waitFor(T);
    await checkPage(page, '03-portal-secret-once');
    await page.reload();
    await heading('Add an endpoint').waitFor(T);
    expect(await page.getByRole('textbox', { name: 'Signing secret' }).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    endpointId = (await stack.admin.withToken(tenant.apiKey).listWebhooks()).data[0]!.id;
  });

  test('sends a test event and shows the delivery with its attempt; the custom header arrives and can be changed', async () => {
    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('link', { name: /Manage/ }).click();
    await heading('Contracts service').waitFor(T);
    await page.locator('dd').getByText('X-Receiver-Token: rcv_first').waitFor(T);
    await button('Send test event').click();
    await page.getByText('Test event sent').waitFor(T);
    const row = page.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'success' });
    await row.waitFor(T);
    const sent = receiver.requests.at(-1)!;
    expect(sent.headers['webhook-signature']).toMatch(/^v1,/);
    expect(sent.headers['x-receiver-token']).toBe('rcv_first');
    await checkPage(page, '04-portal-endpoint');
    await row.getByRole('link', { name: /Details/ }).click();
    await heading('Attempts').waitFor(T);
    await page.getByText('Attempt 1').waitFor(T);
    await page.getByText('HTTP 200').waitFor(T);
    await checkPage(page, '05-portal-delivery');
    await page.getByRole('link', { name: /Back to the endpoint/ }).click();

    await page.getByText('Edit endpoint').click();
    await page.getByLabel('Header 1 value').fill('rcv_second');
    await button('Add header').click();
    await page.getByLabel('Header 2 name').fill('X-Extra');
    await button('Remove header 2').click();
    await checkPage(page, '05b-portal-edit-endpoint');
    await button('Save changes').click();
    await page.getByText('Saved.').waitFor(T);
    await page.locator('dd').getByText('X-Receiver-Token: rcv_second').waitFor(T);
    expect((await stack.admin.withToken(tenant.apiKey).getWebhook(endpointId)).headers).toEqual({ 'X-Receiver-Token': 'rcv_second' });
  });

  test('rotates the secret and shows the new one once; an existing secret can be imported', async () => {
    await button('Rotate secret').click();
    await button('Rotate now').click();
    const box = page.getByRole('textbox', { name: 'Signing secret' });
    await box.waitFor(T);
    const first = await box.inputValue();
    expect(first).toMatch(/^whsec_/);
    const imported = `whsec_${randomBytes(32).toString('base64')}`;
    await button('Rotate secret').click();
    await page.getByLabel('Import an existing secret (optional)').fill(imported);
    await button('Rotate now').click();
    await waitFor(async () => (await box.inputValue()) === imported, { timeoutMs: T.timeout, what: 'the imported secret shown' });
  });

  test('a receiver that fails: retries, the disable, recover refused while disabled, re-enable re-sends what was skipped, recover since… re-sends what failed', async () => {
    const startedAt = Date.now() - 60_000;
    receiver.fallback = { status: 500, body: '<b>receiver down</b>' };
    for (const n of [1, 2]) await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { documentId: `doc_${n}` } });
    await page.getByText('Disabled: too many failed deliveries in a row').first().waitFor(T);
    const failed = page.getByRole('row').filter({ hasText: 'signing.completed' }).filter({ hasText: 'failed' });
    await failed.nth(1).waitFor(T);
    await waitFor(() => arrived('doc_1').length === 3 && arrived('doc_2').length === 3, { timeoutMs: T.timeout, what: 'three attempts each' });
    // While disabled, an event is skipped: it is logged, not sent.
    await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { documentId: 'doc_3' } });
    await page.getByRole('row').filter({ hasText: 'signing.completed' }).filter({ hasText: 'skipped' }).waitFor(T);
    expect(arrived('doc_3')).toEqual([]);
    // A recovery is refused on a disabled endpoint, with the API's reason.
    await page.getByText('Recover since…').click();
    await page.getByLabel('Since').fill(await localInput(startedAt));
    await button('Recover').click();
    await page.getByText(/the webhook is disabled: enable it first/).waitFor(T);
    await page.getByText('Press Enable above first').waitFor(T);
    await checkPage(page, '06-portal-disabled');

    receiver.fallback = 200;
    const fixedAt = receiver.requests.length;
    expect(await page.getByLabel('Also re-send what was skipped while it was disabled').isChecked()).toBe(true);
    await button('Enable').click();
    await page.getByText('Enabled: the failure count starts again from 0.').waitFor(T);
    await page.locator('dd').getByText('Enabled', { exact: true }).waitFor(T);
    await page.getByText(/^Recovery rcv_[\w-]+: completed; queued 1 of 1, 1 succeeded, 0 failed, 0 being sent\.$/).waitFor(T);
    expect(arrived('doc_3', fixedAt)).toHaveLength(1);

    // Recover since…: the failed ones only.
    await page.getByLabel('Skipped deliveries (sent while the endpoint was disabled)').uncheck();
    await button('Recover').click();
    await page.getByText(/^Recovery rcv_[\w-]+: completed; queued 2 of 2, 2 succeeded, 0 failed, 0 being sent\.$/).waitFor(T);
    expect([arrived('doc_1', fixedAt).length, arrived('doc_2', fixedAt).length, arrived('doc_3', fixedAt).length]).toEqual([1, 1, 1]);
    await page.getByRole('row').filter({ hasText: 'redelivery' }).filter({ hasText: 'success' }).nth(2).waitFor(T);
    await checkPage(page, '06b-portal-recovered');
    // The same form pressed again is a new recovery (not the finished one found again), which sends
    // nothing: every event it matches has been delivered since (overlapping recoveries never send twice).
    const first = await page.locator('.recovery-progress').textContent();
    await button('Recover').click();
    await waitFor(async () => {
      const text = (await page.locator('.recovery-progress').textContent()) ?? '';
      return text !== first && /: completed; queued 0 of \d+, 0 succeeded/.test(text);
    }, { timeoutMs: T.timeout, what: 'a second recovery' });
    expect([arrived('doc_1', fixedAt).length, arrived('doc_2', fixedAt).length]).toEqual([1, 1]);

    await failed.first().getByRole('link', { name: /Details/ }).click();
    await page.getByText('Attempt 3').waitFor(T);
    expect(await page.getByText('HTTP 500').count()).toBe(3);
    // The receiver's body is shown as text, never as markup.
    await page.getByText('Response body').first().click();
    await page.getByText('<b>receiver down</b>').first().waitFor(T);
    expect(await page.locator('pre b').count()).toBe(0);
    await checkPage(page, '07-portal-failed-delivery');
    await button('Redeliver').click();
    await page.getByText('HTTP 200').waitFor(T);
  });

  test('the log across endpoints filters by status and event type and pages on', async () => {
    await page.getByRole('link', { name: 'Delivery log' }).click();
    await heading('Deliveries to all endpoints').waitFor(T);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor(T);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByLabel('Event type').selectOption('signing.completed');
    await button('Filter').click();
    await waitFor(async () => (await rows.count()) === 2 && (await rows.filter({ hasText: 'failed' }).filter({ hasText: 'signing.completed' }).count()) === 2,
      { timeoutMs: T.timeout, what: 'the two failed signing.completed deliveries' });
    await checkPage(page, '09-portal-log');
    await page.getByLabel('Status').selectOption('success');
    await page.getByLabel('Event type').selectOption('');
    await button('Filter').click();
    // 1 test event + 1 skipped and 2 failed re-sent + 1 redelivered by hand.
    await waitFor(async () => (await rows.count()) === 5 && (await rows.filter({ hasText: 'success' }).count()) === 5, { timeoutMs: T.timeout, what: 'five successes' });
    // A time range with nothing in it.
    await page.getByLabel('Created before').fill(await localInput(Date.now() - 3_600_000));
    await button('Filter').click();
    await page.getByText('No deliveries match these filters.').waitFor(T);
    // Pages of 20, newest first: 13 more events make 21 deliveries.
    for (let n = 0; n < 13; n++) await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { documentId: `doc_page_${n}` } });
    // Each delivery exists once its request has arrived; a page read before that would be a page of another set.
    await waitFor(() => Array.from({ length: 13 }, (_, n) => arrived(`doc_page_${n}`).length).every((c) => c >= 1),
      { timeoutMs: T.timeout, what: 'the 13 events at the receiver' });
    await button('Clear').click();
    await waitFor(async () => (await rows.count()) === 20 && (await rows.first().textContent())!.includes('signing.completed'), { timeoutMs: T.timeout, what: 'a first page of 20' });
    await button('Older deliveries').click();
    await waitFor(async () => (await rows.count()) === 21, { timeoutMs: T.timeout, what: 'the 21st delivery' });
    await rows.last().filter({ hasText: 'webhook.test' }).waitFor(T);
    expect(await button('Older deliveries').count()).toBe(0);
  });

  test('the catalogue shows descriptions, schemas and examples as text, without archived types, and how to verify', async () => {
    await stack.admin.createEventType({
      type: 'portal.checked', description: 'A portal <i>check</i> happened.',
      schema: { type: 'object', properties: { note: { type: 'string' } }, required: ['note'] }, example: { note: '<script>alert(1)</script>' },
    });
    await stack.admin.createEventType({ type: 'portal.retired', description: 'Gone.' });
    await stack.admin.archiveEventType('portal.retired');
    await page.getByRole('link', { name: 'Event catalogue' }).click();
    await heading('portal.checked').waitFor(T);
    await page.getByText('A portal <i>check</i> happened.').waitFor(T);
    expect(await page.getByLabel('Example payload of portal.checked').textContent()).toBe(JSON.stringify({ note: '<script>alert(1)</script>' }, null, 2));
    await page.getByText('JSON Schema: portal.checked').click();
    expect(JSON.parse((await page.getByLabel('JSON Schema of portal.checked').textContent())!)).toMatchObject({ required: ['note'] });
    expect(await heading('portal.retired').count()).toBe(0);
    await heading('How to verify').waitFor(T);
    await checkPage(page, '08-portal-catalogue');
  });

  test('a v1a endpoint shows its public key (no secret, readable again later), and its requests verify with it', async () => {
    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('link', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}?ed25519`);
    await page.getByLabel('Description (optional)').fill('Ed25519 receiver');
    await page.getByLabel(/^v1a: Ed25519/).check();
    expect(await page.getByLabel('Import an existing secret (optional)').isVisible()).toBe(false);
    await button('Create endpoint').click();
    const keyBox = page.getByRole('textbox', { name: 'Public key' });
    await keyBox.waitFor(T);
    const publicKey = await keyBox.inputValue();
    expect(Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64')).toHaveLength(32);
    expect(await page.getByText('It will not be shown again').count()).toBe(0);
    await page.getByRole('link', { name: 'Go to the endpoint' }).click();
    await heading('Ed25519 receiver').waitFor(T);
    await page.reload();
    await heading('Ed25519 receiver').waitFor(T);
    expect(await page.getByRole('textbox', { name: 'Public key' }).inputValue()).toBe(publicKey);
    await page.getByText('This endpoint is signed with Ed25519').waitFor(T);
    expect(await page.locator('.verify pre').first().textContent()).toContain(publicKey);
    const from = receiver.requests.length;
    await button('Send test event').click();
    await page.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'success' }).waitFor(T);
    const sent = receiver.requests.slice(from).find((r) => r.url.endsWith('?ed25519'))!;
    expect(sent.headers['webhook-signature']).toMatch(/^v1a,/);
    expect(verifyAsymmetricWebhook(publicKey, sent.headers, sent.body)).toBe(true);
    await checkPage(page, '04b-portal-endpoint-v1a');
    await button('Delete endpoint').click();
    await button('Delete for good').click();
    await heading('Endpoints').waitFor(T);
    await page.getByRole('link', { name: /Manage/ }).waitFor(T);
    expect(await page.getByRole('link', { name: /Manage/ }).count()).toBe(1);
  });

  test('flow-control settings (maxInFlight, rateLimit, ordering) have labelled inputs, reach the API and show in the list', async () => {
    const p = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    const { url } = await stack.admin.createPortalSession(tenant.id);
    await p.goto(url);
    await p.getByRole('link', { name: 'Add endpoint' }).click();
    await p.getByLabel('Endpoint URL').fill(`${receiver.url}flow`);
    await p.getByLabel('Most deliveries in flight at once').fill('5');
    await p.getByLabel('Most deliveries per second').fill('2.5');
    await p.getByLabel('Ordering').selectOption('fifo');
    expect(await p.getByText(/More settings \(JSON/).count()).toBe(0);
    await checkPage(p, '02b-portal-new-endpoint-flow-control');
    await p.getByRole('button', { name: 'Create endpoint' }).click();
    await p.getByRole('textbox', { name: 'Signing secret' }).waitFor(T);
    const created = (await tenant.api.listWebhooks()).data.find((e) => e.url === `${receiver.url}flow`);
    expect(created).toMatchObject({ maxInFlight: 5, rateLimit: 2.5, ordering: 'fifo' });
    await p.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await p.getByRole('cell', { name: 'at most 5 in flight · at most 2.5/s · in order (FIFO)' }).waitFor(T);
    await tenant.api.deleteWebhook(created!.id);
    await p.context().close();
  });

  test('a Redis Streams endpoint made in the form: its fields replace the URL, a delivery of it succeeds, credentials are write-only', async () => {
    const stream = `portal-${randomBytes(6).toString('hex')}`;
    const redis = new Redis('redis://127.0.0.1:6379/0');
    await redis.xgroup('CREATE', stream, 'consumers', '$', 'MKSTREAM');
    const p = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    try {
      const { url } = await stack.admin.createPortalSession(tenant.id);
      await p.goto(url);
      await p.getByRole('link', { name: 'Add endpoint' }).click();
      await p.getByLabel('Destination type').selectOption('redis');
      expect(await p.getByLabel('Endpoint URL').isVisible()).toBe(false);
      await p.getByLabel('Server URL').fill('redis://127.0.0.1:6379/0');
      await p.getByLabel('Stream', { exact: true }).fill(stream);
      await p.getByLabel('Most entries kept (optional)').fill('1000');
      await p.getByLabel('Description (optional)').fill('Redis stream');
      await checkPage(p, '02c-portal-new-endpoint-redis');
      await p.getByRole('button', { name: 'Create endpoint' }).click();
      await p.getByRole('textbox', { name: 'Signing secret' }).waitFor(T);
      await p.getByRole('link', { name: /go to the endpoint/ }).click();
      await p.getByRole('heading', { name: 'Redis stream' }).waitFor(T);
      await p.locator('dd').getByText('Redis Streams', { exact: true }).waitFor(T);
      await p.locator('dd').getByText(stream, { exact: true }).waitFor(T);
      await p.getByRole('button', { name: 'Send test event', exact: true }).click();
      const row = p.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'success' });
      await row.waitFor(T);
      const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0]![1][entries[0]![1].indexOf('body') + 1]!)).toMatchObject({ type: 'webhook.test' });
      await checkPage(p, '04c-portal-endpoint-redis');
      await row.getByRole('link', { name: /Details/ }).click();
      await p.getByText('Broker: appended').waitFor(T);
      await checkPage(p, '05c-portal-delivery-redis');

      await p.getByRole('link', { name: /Back to the endpoint/ }).click();
      await p.getByText('Edit endpoint').click();
      expect(await p.getByLabel('Endpoint URL').isVisible()).toBe(false);
      expect(await p.getByLabel('Stream', { exact: true }).inputValue()).toBe(stream);
      await p.getByLabel('Username').fill('hooks');
      await p.getByLabel('Password').fill('s3cret-portal');
      await p.getByRole('button', { name: 'Save changes' }).click();
      await p.getByText('Saved.').waitFor(T);
      await p.locator('dd').getByText('password and username set (never shown)').waitFor(T);
      const id = (await tenant.api.listWebhooks()).data.find((e) => e.description === 'Redis stream')!.id;
      expect((await tenant.api.getWebhook(id)).credentialsSet).toEqual(['password', 'username']);
      await p.reload();
      await p.getByText('Edit endpoint').click();
      expect(await p.getByLabel('Password').getAttribute('placeholder')).toBe('set: leave empty to keep');
      expect(await p.content()).not.toContain('s3cret-portal');
      await p.getByLabel('Remove the credentials').check();
      await p.getByRole('button', { name: 'Save changes' }).click();
      await p.locator('dd').getByText('None given', { exact: true }).waitFor(T);
      expect((await tenant.api.getWebhook(id)).credentialsSet).toEqual([]);
      await tenant.api.deleteWebhook(id);
    } finally {
      await p.context().close();
      await redis.del(stream);
      redis.disconnect();
    }
  });

  test('deletes the endpoint after asking, with the keyboard alone', async () => {
    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('link', { name: /Manage/ }).focus();
    await page.keyboard.press('Enter');
    await button('Delete endpoint').focus();
    await page.keyboard.press('Enter');
    await page.getByText('This cannot be undone').waitFor(T);
    // The question takes the focus; Cancel gives it back to the button that asked.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete for good');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete endpoint');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByText('No endpoints yet').waitFor(T);
    expect((await stack.admin.withToken(tenant.apiKey).listWebhooks()).data).toEqual([]);
  });

  test('an expired or revoked link is refused, also in a tab that was open', async () => {
    const fresh = async (ttlSeconds?: number) => {
      const s = await stack.admin.createPortalSession(tenant.id, ttlSeconds ? { ttlSeconds } : {});
      const p = await (await browser.newContext()).newPage();
      return { s, p };
    };
    const expired = await fresh(60);
    await stack.sql`update portal_sessions set expires_at = now() - interval '1 second' where id = ${expired.s.id}`;
    await expired.p.goto(expired.s.url);
    await expired.p.getByRole('heading', { name: 'This link has expired.' }).waitFor(T);
    await checkPage(expired.p, '10-portal-expired');

    const revoked = await fresh();
    await revoked.p.goto(revoked.s.url);
    await revoked.p.getByRole('heading', { name: 'Endpoints' }).waitFor(T);
    await stack.admin.revokePortalSession(tenant.id, revoked.s.id);
    // The next call the open page makes is refused, and the page says why.
    await revoked.p.getByRole('link', { name: 'Event catalogue' }).click();
    await revoked.p.getByRole('heading', { name: 'How to verify' }).waitFor(T);
    await revoked.p.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await revoked.p.getByRole('heading', { name: 'This link was revoked.' }).waitFor(T);
    await revoked.p.reload();
    await revoked.p.getByRole('heading', { name: 'Open this page from a portal link.' }).waitFor(T);
    await Promise.all([expired.p.context().close(), revoked.p.context().close()]);
  });
});

describe('embedding', () => {
  test('the portal works in a frame on an origin HOOKLINE_PORTAL_FRAME_ANCESTORS names, and is refused on any other', async () => {
    const t = await stack.newTenant('embed');
    const p = await (await browser.newContext()).newPage();
    const frameOn = async (site: { url: string }) => {
      const { url } = await stack.admin.createPortalSession(t.id);
      await p.goto(`${site.url}?src=${encodeURIComponent(url)}`); // waits for the load event, the frame's included
      return p.frames().find((f) => f !== p.mainFrame())!;
    };
    const allowed = await frameOn(allowedSite);
    await allowed.getByRole('heading', { name: 'Endpoints' }).waitFor(T);
    await allowed.getByText('No endpoints yet').waitFor(T);
    // The browser reports the refusal on the framing page's console, and the frame stays empty.
    const report = p.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: T.timeout });
    const refused = await frameOn(otherSite);
    expect((await report).text()).toMatch(/violates the following Content Security Policy directive: "frame-ancestors [^"]+". The request has been blocked/);
    expect(refused.url()).not.toContain('/portal');
    expect(await refused.getByRole('heading', { name: 'Endpoints' }).count()).toBe(0);
    await p.context().close();
  });
});

describe('the operator console', () => {
  test('signs in with the admin token, lists tenants, makes a portal link and finds a delivery with its Temporal link', async () => {
    const t = await stack.newTenant('console');
    const ep = await t.api.createWebhook({ url: receiver.url });
    const { deliveryId } = await t.api.testWebhook(ep.id);
    const c = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    await c.goto(`${stack.api.url}/console`);
    await c.getByLabel('Admin token').fill('wrong-token-0123456789');
    await c.getByRole('button', { name: 'Sign in' }).click();
    await c.getByText('That admin token was refused.').waitFor(T);
    await c.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await checkPage(c, '11-console-sign-in');
    await c.getByRole('button', { name: 'Sign in' }).click();
    await c.getByRole('heading', { name: 'Overview' }).waitFor(T);
    await c.getByRole('link', { name: 'Tenants' }).click();
    await c.getByRole('heading', { name: 'Tenants' }).waitFor(T);
    expect(c.url()).not.toContain(ADMIN_TOKEN);
    await c.getByRole('link', { name: `Open ${t.id}` }).click();
    await c.getByRole('heading', { name: new RegExp(t.id) }).waitFor(T);
    await c.getByRole('button', { name: 'Open a portal link' }).click();
    const link = c.locator('a.portal-link');
    await link.waitFor(T);
    expect(await link.getAttribute('href')).toMatch(/\/portal#session=pst_/);
    await checkPage(c, '12-console-tenant');

    await c.getByRole('link', { name: 'Find a delivery' }).click();
    await c.getByLabel('Delivery, event or endpoint id').fill(deliveryId);
    await c.getByRole('button', { name: 'Find' }).click();
    const temporal = c.getByRole('link', { name: `delivery-${deliveryId} in Temporal` });
    await temporal.waitFor(T);
    expect(await temporal.getAttribute('href')).toBe(`${TEMPORAL_UI}/namespaces/default/workflows/delivery-${deliveryId}`);
    await checkPage(c, '13-console-delivery');

    await c.getByRole('link', { name: 'Failing endpoints' }).click();
    await c.getByRole('heading', { name: 'Failing and disabled endpoints' }).waitFor(T);
    await checkPage(c, '14-console-endpoints');
    await c.context().close();
  });
});
