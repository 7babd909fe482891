import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { SCREENSHOTS, checkPage, launchChromium } from './browser';

/**
 * The statistics as people see them, in Debian's chromium against the real stack: the portal's
 * endpoint list and endpoint page, the console home. The charts' labels state the API's figures,
 * and no table cell breaks a word mid-letter at 1280 px or 320 px.
 */
const TEMPORAL_UI = 'http://temporal-ui.example:8233';
const T = { timeout: 20_000 };
let stack: Stack;
let receiver: Server;
let url: string;
let browser: Browser;

beforeAll(async () => {
  // Answers each event with the status its payload asks for.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.writeHead((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { answer?: number } }).data.answer ?? 200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/signing-service/production`;
  [stack, browser] = await Promise.all([
    startStack({ HOOKLINE_RETRY_SCHEDULE: '100ms,100ms,100ms', HOOKLINE_TEMPORAL_UI_URL: TEMPORAL_UI }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

/** Words (no / . _ -) in table cells whose letters the browser laid out on more than one line. */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.parentElement?.closest('td, th')) continue;
      const text = n.textContent ?? '';
      for (const m of text.matchAll(/\S+/g)) {
        if (/[/._-]/.test(m[0])) continue;
        const range = document.createRange();
        range.setStart(n, m.index!);
        range.setEnd(n, m.index! + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) bad.push(m[0]);
      }
    }
    return bad;
  });
}

async function noBrokenWords(page: Page): Promise<void> {
  const size = page.viewportSize()!;
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: size.height });
    expect({ width, broken: await brokenWords(page) }).toEqual({ width, broken: [] });
  }
  await page.setViewportSize(size);
}

/**
 * The run's picture of a page the README shows sits with the others (test/browser/screenshots);
 * docs/ gets it only when asked (HOOKLINE_DOCS_SCREENSHOTS=1), so a test run changes no tracked file.
 */
async function toDocs(page: Page, name: string): Promise<void> {
  const shot = path.join(SCREENSHOTS, `docs-${name}.png`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  if (process.env.HOOKLINE_DOCS_SCREENSHOTS === '1') copyFileSync(shot, path.join(__dirname, '../../docs', `${name}.png`));
}

test('the portal shows each endpoint’s success rate, last delivery and description, and charts the API’s figures', async () => {
  const tenant = await stack.newTenant('charts');
  const endpoint = await tenant.api.createWebhook({ url, events: ['signing.completed'], description: 'Production signing service receiver' });
  await tenant.api.createWebhook({ url: `${url}/idle`, events: ['signer.created'] });
  for (const answer of [200, 200, 200, 500, 400, 200]) await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { answer } });
  await waitFor(async () => {
    const t = (await tenant.api.webhookStats(endpoint.id)).totals;
    return t.pending === 0 && t.success + t.failed === 6;
  }, { what: 'every delivery to finish', timeoutMs: 60_000 });
  const day = await tenant.api.webhookStats(endpoint.id);
  expect(day.totals).toMatchObject({ success: 4, failed: 2 });

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto((await stack.admin.createPortalSession(tenant.id)).url);
  await page.getByRole('heading', { name: 'Endpoints' }).waitFor(T);
  const row = page.getByRole('row').filter({ hasText: 'Production signing service receiver' });
  await row.getByText('66.7 %').waitFor(T);
  expect(await row.getByText('None in 24 h').count()).toBe(0);
  await page.getByRole('row').filter({ hasText: '/idle' }).getByText('None in 24 h').waitFor(T);
  await noBrokenWords(page);
  await checkPage(page, 'stats-01-portal-endpoints');

  await row.getByRole('link', { name: /^Manage / }).click();
  const chart = page.getByRole('img', { name: /^Last 24 hours:/ });
  await chart.waitFor(T);
  expect(await chart.getAttribute('aria-label')).toBe(
    `Last 24 hours: ${day.totals.success} succeeded, ${day.totals.failed} failed, 0 pending, 0 skipped; success rate 66.7 %.`,
  );
  expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(0);
  await page.getByText('Show as a table').click();
  await noBrokenWords(page);
  await checkPage(page, 'stats-02-portal-endpoint');
  await toDocs(page, 'portal-endpoint-stats');

  await page.getByRole('button', { name: 'Last 7 days' }).click();
  const week = await tenant.api.webhookStats(endpoint.id, { since: new Date(Date.now() - 7 * 86_400_000).toISOString(), bucket: 'day' });
  const weekChart = page.getByRole('img', { name: /^Last 7 days:/ });
  await weekChart.waitFor(T);
  expect(await weekChart.getAttribute('aria-label')).toContain(`${week.totals.success} succeeded, ${week.totals.failed} failed`);
  await page.context().close();
});

test('the console home shows the last hour by status, the backlog, and the failing endpoints with tenant and Temporal links', async () => {
  const tenant = await stack.newTenant('failing');
  const endpoint = await tenant.api.createWebhook({ url, events: ['signing.completed'] });
  for (const answer of [500, 503, 400]) await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { answer } });
  await waitFor(async () => (await tenant.api.webhookStats(endpoint.id)).totals.failed === 3, { what: 'three failures', timeoutMs: 60_000 });
  // The deployment's figures move while other tests run: the page must state the figures the API
  // answered just before it loaded (reloaded until a load falls between two equal answers).
  const lastHour = (s: Awaited<ReturnType<typeof stack.admin.adminStats>>) =>
    `${s.throughput.reduce((n, p) => n + p.success, 0)} succeeded, ${s.throughput.reduce((n, p) => n + p.failed, 0)} failed, ${s.throughput.reduce((n, p) => n + p.pending, 0)} pending`;

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${stack.api.url}/console`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor(T);
  const chart = page.getByRole('img', { name: /^Deliveries created in the last hour:/ });
  await waitFor(
    async () => {
      const before = lastHour(await stack.admin.adminStats());
      await page.reload();
      await chart.waitFor(T);
      const label = (await chart.getAttribute('aria-label')) ?? '';
      return before === lastHour(await stack.admin.adminStats()) && label.includes(before);
    },
    { what: "the chart's label to state the API's figures", timeoutMs: 60_000, intervalMs: 500 },
  );
  const failing = page.getByRole('row').filter({ hasText: endpoint.id });
  expect(await failing.getByRole('link', { name: tenant.id }).getAttribute('href')).toBe(`#/tenants/${tenant.id}`);
  expect(await failing.getByRole('link', { name: `Workflow of ${endpoint.id} in Temporal` }).getAttribute('href')).toBe(
    `${TEMPORAL_UI}/namespaces/default/workflows/endpoint-${endpoint.id}`,
  );
  await page.getByText('Outbox backlog').waitFor(T);
  await noBrokenWords(page);
  await checkPage(page, 'stats-03-console-home');
  await toDocs(page, 'console-home');
  await page.context().close();
});
