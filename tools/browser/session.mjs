// What the console scripts share (console.mjs, keyboard.mjs, dashboard.mjs): Debian's chromium (playwright-core, no
// browser download) with one page, every console error and failed request of the visit collected, sign-in with the
// keyboard, and one JSON object printed at the end: what the visit put in `out`, plus errors, failed and fatal.
import { chromium } from 'playwright-core';

/** Runs visit(page, out, context) in a fresh browser and prints out as JSON; a thrown error ends the visit as fatal. */
export async function session(spec, visit) {
  const browser = await chromium.launch({ executablePath: spec.chromium || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const out = { errors: [], failed: [] };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, timezoneId: spec.timezone || undefined });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') out.errors.push(m.text()); });
    page.on('pageerror', (e) => out.errors.push(String(e)));
    page.on('requestfailed', (r) => out.failed.push(r.method() + ' ' + r.url() + ' ' + (r.failure()?.errorText || '')));
    page.on('response', (r) => { if (r.status() >= 400) out.failed.push(r.status() + ' ' + r.request().method() + ' ' + r.url()); });
    await visit(page, out, context);
    await context.close();
  } catch (e) {
    out.fatal = String(e).split('\n')[0];
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** Opens the console and signs in by typing the key and pressing Enter; waits for the home page's numbers and chart. */
export async function signIn(page, spec) {
  await page.goto(spec.base + '/');
  await page.waitForSelector('#key');
  await page.keyboard.type(spec.key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.stat');
  await page.waitForSelector('main .chart canvas');
}

/** Every table's cells as text, row by row (for $$eval). */
export const readTables = (ts) => ts.map((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent.trim())));
