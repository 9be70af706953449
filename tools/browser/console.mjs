// Drives Debian's chromium (session.mjs) through every page of the web console for ConsoleIT.
// Usage: node console.mjs '{"base":"http://127.0.0.1:P","key":"…","shots":"dir","pages":[{"name","hash","wait"}],"chromium":"/usr/bin/chromium"}'
// Signs in with the keyboard, then opens each page by its URL, waits for its selector, reads every table on it, takes a
// screenshot; on the SQL page runs the query with Ctrl+Enter and downloads its CSV; on the funnel page clicks the first
// step's "who dropped" link. Prints one JSON object: per page its tables and texts, and every console error and failed
// request of the whole visit.
import { readFileSync } from 'node:fs';
import { session, readTables } from './session.mjs';

const spec = JSON.parse(process.argv[2]);
await session(spec, async (page, out) => {
  out.pages = {};
  const t0 = Date.now();
  await page.goto(spec.base + '/');
  await page.waitForSelector('#key');
  await page.screenshot({ path: spec.shots + '/login.png' });
  await page.keyboard.type(spec.key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.stat');
  out.homeInteractiveMs = Date.now() - t0;
  await page.waitForSelector('main .chart canvas');
  // the home page loaded again, signed in: one warm-up, then three loads, each timed from the navigation's start to
  // the mark the console sets once the page's numbers are in (performance.now() time)
  const ready = async () => {
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('catchment:ready:home').length > 0);
    const ms = await page.evaluate(() => performance.getEntriesByName('catchment:ready:home')[0].startTime);
    // the chart follows the numbers: its request ends before the next reload (which would abort it)
    await page.waitForSelector('main .chart canvas');
    return ms;
  };
  await ready();
  out.homeLoadsMs = [await ready(), await ready(), await ready()];
  for (const p of spec.pages) {
    const started = Date.now();
    await page.goto(spec.base + '/#' + p.hash);
    await page.waitForSelector(p.wait, { timeout: 20000 });
    await page.waitForTimeout(300);
    const tables = await page.$$eval('main table:not(.u-legend)', readTables);
    const text = await page.$eval('main', (m) => m.innerText);
    const result = { ms: Date.now() - started, tables, text: text.slice(0, 4000) };
    if (p.name === 'sql') {
      await page.click('#sql');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('#sql-summary');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
      result.csv = readFileSync(await download.path(), 'utf8');
      await page.click('#chart-result');
      result.charted = !!(await page.waitForSelector('#result-chart canvas', { timeout: 5000 }));
    }
    if (p.name === 'sql-paging') {
      // 100 rows a page: the header with the column types, each page's rows and status, the CSV with every row
      const read = async () => ({
        status: await page.$eval('.paged [role=status]', (e) => e.textContent),
        rows: await page.$$eval('.paged tbody tr', (trs) => trs.map((tr) => tr.firstElementChild.textContent.trim())),
        next: await page.$eval('.paged button:has-text("Next")', (b) => b.disabled),
        prev: await page.$eval('.paged button:has-text("Previous")', (b) => b.disabled),
      });
      result.summary = await page.$eval('#sql-summary', (e) => e.textContent);
      result.header = await page.$$eval('.paged thead th', (ths) => ths.map((th) => th.textContent));
      result.paging = [await read()];
      await page.click('.paged button:has-text("Next")');
      result.paging.push(await read());
      await page.click('.paged button:has-text("Next")');
      result.paging.push(await read());
      await page.click('.paged button:has-text("Previous")');
      result.paging.push(await read());
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
      result.csvLines = readFileSync(await download.path(), 'utf8').trimEnd().split('\n').length;
    }
    if (p.name === 'dlq') {
      page.once('dialog', (d) => d.accept());
      await page.click('text=inspect');
      // the page with a dead letter open is the one worth a picture; after the replay it is empty
      await page.screenshot({ path: spec.shots + '/dlq.png', fullPage: true });
      await page.click('button:has-text("Replay")');
      await page.waitForSelector('text=Replayed.');
      result.replayed = true;
    }
    // every form control has a label (its own <label>, or aria-label)
    result.unlabeled = await page.$$eval('main input, main select, main textarea', (cs) => cs
      .filter((c) => c.type !== 'hidden' && !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
      .map((c) => c.outerHTML.slice(0, 120)));
    if (p.name === 'trends') {
      result.renderMs = await page.evaluate(() => window.__catchmentRenderMs);
      // each chart mode: the table under the chart stays as it was, the mode goes into the URL and survives a reload
      result.modes = {};
      for (const mode of ['bars', 'stacked', 'lines']) {
        await page.click(`#chart-mode input[value="${mode}"]`);
        await page.waitForSelector('#chart canvas');
        await page.waitForTimeout(200);
        result.modes[mode] = { tables: await page.$$eval('#result table', readTables), url: page.url() };
        if (mode !== 'lines') await page.screenshot({ path: spec.shots + '/trends-' + mode + '.png', fullPage: true });
      }
      // property pickers: a series' number columns of its event's table; a breakdown's columns every series has
      result.pickers = {};
      for (const id of ['property-0', 'breakdown']) {
        await page.focus('#' + id);
        await page.waitForFunction((i) => document.querySelectorAll('#' + i + '-columns option').length > 0, id);
        result.pickers[id] = await page.$$eval('#' + id + '-columns option', (os) => os.map((o) => o.value));
      }
      await page.click('#chart-mode input[value="stacked"]');
      await page.reload();
      await page.waitForSelector('#result table');
      result.modes.reloaded = await page.$eval('#chart-mode input:checked', (i) => i.value);
      await page.click('#chart-mode input[value="lines"]');
      await page.fill('input[aria-label="dashboard name"]', 'From the trends page');
      await page.click('#add-to-dashboard');
      await page.waitForSelector('text=Added to');
      result.added = true;
    }
    if (p.name === 'funnels') {
      await page.click('text=who dropped after this step');
      await page.waitForSelector('#dropped li');
      result.dropped = await page.$$eval('#dropped li', (ls) => ls.map((l) => l.textContent.trim()));
      // a filter on step 2, its property and value picked from the suggestions
      await page.click('#step-1-add-filter');
      await page.waitForFunction(() => document.querySelectorAll('#step-1-f0-property-columns option').length > 0);
      result.filterColumns = await page.$$eval('#step-1-f0-property-columns option', (os) => os.map((o) => o.value));
      await page.keyboard.type('currency');
      await page.focus('#step-1-f0-value');
      await page.waitForFunction(() => document.querySelectorAll('#step-1-f0-values option').length > 0);
      result.filterValues = await page.$$eval('#step-1-f0-values option', (os) => os.map((o) => o.value));
      await page.keyboard.type('EUR');
      await page.click('#run');
      await page.waitForFunction(() => !document.querySelector('#dropped li') && document.querySelector('#result table'));
      await page.waitForTimeout(300);
      result.filtered = await page.$$eval('#result table', readTables);
      result.filteredUrl = page.url();
      await page.click('text=who dropped after this step');
      await page.waitForSelector('#dropped li');
      result.filteredDropped = await page.$$eval('#dropped li', (ls) => ls.map((l) => l.textContent.trim()));
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    // the live list is 50 events long: its first screen shows what it is
    if (p.name !== 'dlq') await page.screenshot({ path: spec.shots + '/' + p.name + '.png', fullPage: p.name !== 'live' });
    out.pages[p.name] = result;
  }
});
