// Drives Debian's chromium (playwright-core, no browser download) through the SDK test pages for BrowserSdkIT.
// Usage: node drive.mjs '{"pages":["http://127.0.0.1:P/segment.html?..."],"chromium":"/usr/bin/chromium"}'
// For each page: load it, wait until the page sets window.__catchment (its SDK calls are answered), then navigate
// away (the page's pagehide event fires its unload event), and wait for the network to settle.
// Prints one JSON object: per page, what the console said and every request with its answer (or failure).
// For diagnosing an SDK by hand: "verbose": true also lists every request with its body as it starts, and
// "netlog": "/tmp/net.json" writes Chromium's own network log (beacons sent while a page unloads show only there).
import { chromium } from 'playwright-core';

const spec = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: spec.chromium || '/usr/bin/chromium',
  // a person's browser, not a bot: posthog-js drops events when navigator.webdriver is set or the user agent
  // (or its client hints) says HeadlessChrome
  ignoreDefaultArgs: ['--enable-automation'],
  args: ['--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36',
    ...(spec.netlog ? ['--log-net-log=' + spec.netlog, '--net-log-capture-mode=Everything'] : []), '--disable-blink-features=AutomationControlled', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', ...(spec.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : [])],
});
const results = [];
try {
  for (const url of spec.pages) {
    const context = await browser.newContext({ ignoreHTTPSErrors: !!spec.ignoreCertificateErrors });
    const page = await context.newPage();
    const console = [];
    const requests = [];
    page.on('console', (m) => console.push({ type: m.type(), text: m.text() }));
    page.on('pageerror', (e) => console.push({ type: 'pageerror', text: String(e) }));
    if (spec.verbose) page.on('request', (r) => console.push({ type: 'request', text: r.method() + ' ' + r.url() + ' ' + (r.postData() || '').slice(0, 300) }));
    page.on('requestfailed', (r) => requests.push({ method: r.method(), url: r.url(), failure: r.failure()?.errorText }));
    page.on('requestfinished', async (r) => {
      const res = await r.response();
      requests.push({ method: r.method(), url: r.url(), status: res ? res.status() : null });
    });
    let outcome = 'done';
    try {
      await page.goto(url);
      await page.waitForFunction(() => window.__catchment !== undefined, null, { timeout: spec.timeoutMs || 20000 });
      await page.waitForTimeout(spec.settleMs || 1500);
      await page.click('#away');
      await page.waitForURL('**/bye.html');
      await page.waitForTimeout(spec.settleMs || 1500);
    } catch (e) {
      outcome = 'failed: ' + String(e).split('\n')[0];
    }
    await context.close();
    results.push({ url, outcome, console, requests });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ results }) + '\n');
