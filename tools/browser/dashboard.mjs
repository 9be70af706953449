// A dashboard made and arranged in the console, for ConsoleIT's restart test (session.mjs).
// Usage: node dashboard.mjs '{"base","key","phase":"arrange"|"check","name":"Restart check","tiles":[{"hash","wait"}]}'
// arrange: creates the dashboard on the Dashboards page, adds a tile from each page in tiles ("Add to dashboard"),
// opens it, moves the last tile to the front with its "earlier" button and the keyboard, drags the (new) last tile
// onto the first, sets the refresh to 5 min and reloads. check: opens the dashboard from the list. Both report the
// tile titles in order (after each step), and whether every tile drew.
import { session, signIn } from './session.mjs';

const spec = JSON.parse(process.argv[2]);
const titles = (page) => page.$$eval('#tiles .tile h2', (hs) => hs.map((x) => x.textContent));
const drawn = (page, n) => page.waitForFunction((k) => document.querySelectorAll('#tiles .tile').length === k
  && [...document.querySelectorAll('#tiles .tile')].every((t) => t.querySelector('canvas, table')), n, { timeout: 20000 });
const saved = (page, text) => page.waitForFunction((t) => document.getElementById('dashboard-status').textContent === t, text, { timeout: 10000 });

await session(spec, async (page, out) => {
  await signIn(page, spec);
  if (spec.phase === 'arrange') {
    await page.goto(spec.base + '/#/dashboards');
    await page.fill('#new-name', spec.name);
    await page.press('#new-name', 'Enter');
    await page.waitForSelector('#tiles', { state: 'attached' });
    out.url = page.url();
    for (const t of spec.tiles) {
      await page.goto(spec.base + '/#' + t.hash);
      await page.waitForSelector(t.wait, { timeout: 20000 });
      await page.fill('input[aria-label="dashboard name"]', spec.name);
      await page.click('#add-to-dashboard');
      await page.waitForSelector('text=Added to');
    }
    await page.goto(out.url);
    await drawn(page, spec.tiles.length);
    out.added = await titles(page);
    // the last tile to the front, from the keyboard: its "earlier" button keeps the focus while the tile moves
    const last = out.added[out.added.length - 1];
    await page.focus(`button[aria-label="Move ${last} earlier"]`);
    for (let i = 1; i < out.added.length; i++) await page.keyboard.press('Enter');
    await saved(page, `Moved "${last}" to place 1, saved.`);
    out.moved = await titles(page);
    out.focusAfterMove = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    // and by dragging: the last tile's head onto the first tile
    const n = out.moved.length;
    await page.dragAndDrop(`#tiles .tile:nth-child(${n}) .tile-head`, '#tiles .tile:nth-child(1)');
    await saved(page, `Moved "${out.moved[n - 1]}" to place 1, saved.`);
    out.dragged = await titles(page);
    await page.selectOption('#refresh', '300');
    out.refreshUrl = page.url();
    await page.reload();
    await drawn(page, n);
    out.refreshAfterReload = await page.$eval('#refresh', (s) => s.value);
    out.reloaded = await titles(page);
  } else {
    await page.goto(spec.base + '/#/dashboards');
    await page.click(`#dashboards a:has-text("${spec.name}")`);
    await page.waitForSelector('#tiles .tile');
    await drawn(page, await page.$$eval('#tiles .tile', (ts) => ts.length));
    out.titles = await titles(page);
  }
});
