import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { checkPage, launchChromium } from './browser';

/** The portal's endpoint form edits the payload filter and channels; the API's refusal shows beside the filter. */
let stack: Stack;
let browser: Browser;
let page: Page;
const T = { timeout: 20_000 };

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({}, { worker: false }), launchChromium()]);
  page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a filter the API refuses shows its message beside the filter; a good one and channels are saved, changed and cleared', async () => {
  const tenant = await stack.newTenant();
  const { url } = await stack.admin.createPortalSession(tenant.id);
  await page.goto(url);
  await page.getByRole('link', { name: 'Add endpoint' }).click();
  await page.getByLabel('Endpoint URL').fill('http://receiver.example/filtered');
  const filter = page.getByLabel('Payload filter (JSON)');
  await filter.fill('{ "data": { "amount": { "$regex": "^1" } } }');
  await page.getByLabel('Channels').fill('eu, shop-7');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await page.locator('.endpoint-filter').getByText('filter.data.amount.$regex: unknown operator').waitFor(T);
  await checkPage(page, '02c-portal-endpoint-filter-refused');

  await filter.fill('{ "data": { "amount": ');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await page.locator('.endpoint-filter').getByText('Not valid JSON.').waitFor(T);

  await filter.fill('{ "data": { "amount": { "$gte": 100 } } }');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await page.getByRole('textbox', { name: 'Signing secret' }).waitFor(T);
  const api = stack.admin.withToken(tenant.apiKey);
  const [created] = (await api.listWebhooks()).data;
  expect(created).toMatchObject({ filter: { data: { amount: { $gte: 100 } } }, channels: ['eu', 'shop-7'] });

  await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
  await page.getByRole('link', { name: /Manage/ }).click();
  await page.locator('dd').getByText('eu, shop-7').waitFor(T);
  await page.locator('dd pre').getByText('"$gte": 100').waitFor(T);
  await checkPage(page, '04c-portal-endpoint-filter');
  await page.getByText('Edit endpoint').click();
  expect(JSON.parse(await filter.inputValue())).toEqual({ data: { amount: { $gte: 100 } } });
  expect(await page.getByLabel('Channels').inputValue()).toBe('eu, shop-7');
  await filter.fill('');
  await page.getByLabel('Channels').fill('us');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved.').waitFor(T);
  await page.locator('dd').getByText('us', { exact: true }).waitFor(T);
  await page.locator('dd').getByText('None: every event').waitFor(T);

  // The delivery log searches by channel (no worker runs here: the deliveries stay pending).
  const tagged = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {}, channels: ['us', 'shop-9'] });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {}, channels: ['us'] });
  const log = page.locator('form[aria-label="Filter deliveries"]');
  await log.getByLabel('Channel').fill('shop-9');
  await log.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('row').filter({ hasText: 'card.viewed' }).first().waitFor(T);
  expect(await page.getByRole('row').filter({ hasText: 'card.viewed' }).count()).toBe(1);
  expect((await api.searchDeliveries({ channel: 'shop-9' })).data.map((d) => d.eventId)).toEqual([tagged.id]);
  await checkPage(page, '04d-portal-delivery-log-channel');
  expect(await api.getWebhook(created!.id)).toMatchObject({ filter: null, channels: ['us'] });
});
