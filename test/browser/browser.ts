import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core: no browser download (`.ci/run` installs the package
 * with apt when /usr/bin/chromium is missing). CHROMIUM_PATH overrides where it is.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const SCREENSHOTS = path.join(__dirname, 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Form controls a screen reader could not name: no <label>, no aria-label(ledby). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'))
      .filter((el) => el.type !== 'hidden' && !(el.labels?.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** How far the page scrolls sideways at `width` (it must not at 320 px). */
export async function overflowsAt(page: Page, width: number): Promise<number> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width, height: size.height });
  const extra = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize(size);
  return extra;
}

/** Every page of the run passes the same checks, and is photographed. */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(await unlabelledControls(page)).toEqual([]);
  expect(await overflowsAt(page, 320)).toBeLessThanOrEqual(0);
  await screenshot(page, name);
}
