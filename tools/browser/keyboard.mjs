// The console's main flows with the keyboard alone, for ConsoleIT (session.mjs): no click, no fill, no focus() call;
// only Tab (and Shift+Tab), Enter, Space, arrow keys on a radio group, Ctrl+A and Ctrl+Enter, and typing.
// Usage: node keyboard.mjs '{"base","key","timezone":"Europe/Berlin"}'
// Signs in; builds a trends report (event, a filter from its "+ Filter" button, dates, bars) and runs it; builds a
// funnel, runs it and opens its first step's drop-off list; runs SQL with Ctrl+Enter. Reports each result, every tab
// stop it passed with whether it showed a focus style, and any control it could not reach.
import { session, readTables } from './session.mjs';

const spec = JSON.parse(process.argv[2]);

/** What has the focus: its id, or its tag and text or label, and whether it is drawn focused (an outline on it, or on
 * the label around a radio, whose own outline the segmented control replaces). */
const focused = () => {
  const e = document.activeElement;
  if (!e || e === document.body) return { name: 'body', visible: true };
  const style = (x) => x && getComputedStyle(x);
  const own = style(e);
  const label = e.type === 'radio' ? style(e.closest('label')) : null;
  const drawn = (s) => s && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');
  const name = e.id ? '#' + e.id : e.tagName.toLowerCase() + ':' + (e.getAttribute('aria-label') || e.textContent || e.value || '').trim().slice(0, 40);
  return { name, visible: e === document.querySelector('main') || !!(drawn(own) || drawn(label)) };
};

await session(spec, async (page, out) => {
  out.stops = [];
  out.unreachable = [];
  const where = () => page.evaluate(focused);
  /** Presses Tab (or Shift+Tab) until the focus is on an element matching the selector; false after 80 presses. */
  async function tabTo(selector, back = false) {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      const f = await where();
      out.stops.push(f);
      if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return true;
    }
    out.unreachable.push(selector);
    throw new Error('cannot reach ' + selector + ' with Tab');
  }
  async function openPage(href) {
    await tabTo(`nav a[href="${href}"]`, true);
    await page.keyboard.press('Enter');
  }

  // sign in: the key field has the focus
  await page.goto(spec.base + '/');
  await page.waitForSelector('#key');
  await page.keyboard.type(spec.key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.stat');
  await page.waitForSelector('main .chart canvas');

  // trends: Viewed Product where price = 10, 2026-03-27 to 03-31 (the browser's zone, Europe/Berlin), as bars
  await openPage('#/trends');
  await page.waitForSelector('#event-0');
  await tabTo('#event-0');
  await page.keyboard.type('Viewed Product');
  await tabTo('#series-0-add-filter');
  await page.keyboard.press('Space');
  out.filterFocus = (await where()).name;
  await page.keyboard.type('price');
  await tabTo('#series-0-f0-value');
  await page.keyboard.type('10');
  await tabTo('input[name=from]');
  await page.keyboard.type('03272026');
  await tabTo('input[name=to]');
  await page.keyboard.type('03312026');
  await tabTo('#run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result table');
  await tabTo('#chart-mode input:checked', true);
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(200);
  out.trends = { tables: await page.$$eval('#result table', readTables), mode: await page.$eval('#chart-mode input:checked', (i) => i.value), url: page.url() };

  // a funnel: Viewed Product then Order Completed in the same days, and who dropped after step 1
  await openPage('#/funnels');
  await page.waitForSelector('#step-0');
  await tabTo('#step-0');
  await page.keyboard.type('Viewed Product');
  await tabTo('#step-1');
  await page.keyboard.type('Order Completed');
  await tabTo('input[name=from]');
  await page.keyboard.type('03272026');
  await tabTo('input[name=to]');
  await page.keyboard.type('03312026');
  await tabTo('#run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result table');
  await tabTo('#result button.link');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#dropped li');
  out.funnel = { tables: await page.$$eval('#result table', readTables), dropped: await page.$$eval('#dropped li', (ls) => ls.map((l) => l.textContent.trim())) };
  // the person's page is a link: Tab to it, Enter opens it
  await tabTo('#dropped a');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#person');
  out.person = await page.$eval('#person', (e) => e.textContent);

  // SQL: the editor, a query typed over the default, Ctrl+Enter
  await openPage('#/sql');
  await page.waitForSelector('#sql');
  await tabTo('#sql');
  await page.keyboard.press('Control+A');
  await page.keyboard.type("SELECT event, count(*) AS n FROM events WHERE event = 'Order Completed' GROUP BY event");
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#sql-summary');
  out.sql = await page.$$eval('main table', readTables);
  // and the results' pages and downloads are reachable too
  await tabTo('#chart-result');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result-chart canvas');
  out.sqlCharted = true;
});
