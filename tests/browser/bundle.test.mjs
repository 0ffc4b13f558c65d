// The first load on a weak phone link: a participant opening a join link gets the small
// participant build of the app, the full app stays within its budget, every byte counted as
// it crossed the wire (CDP's encodedDataLength: compressed bodies plus headers), cold cache.
// A repeat visit takes the app from the service worker. Moving from the participant app to a
// staff page loads the full app.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, apiCreate, PHONE, DESKTOP } from './harness.mjs';

const WAIT = { timeout: 20000 };
const KiB = 1024;
// Issue 14 asks for 150 KiB on the participant path; the build prints the figures and warns
// above it. Not met yet (issue 14 stays open): this bound sits just above what a join link
// costs today (the server-rendered page with its inlined stylesheet, the look-up, the
// participant script and wasm; see BENCHMARKS.md, "Bundle"), so a regression fails here.
// 195.9 KiB before issue 11's journey; its phase screens, one-step vote, harvest, host and
// floor banners and re-scan resume added about 12.5 KiB of wasm.
// Issue 12's plural forms (CLDR rules for six languages), bidi isolation of user text and
// the one polite announcer added about 5 KiB.
const PARTICIPANT_BUDGET = 215 * KiB;
const FULL_BUDGET = 320 * KiB;

/** Opens `url` in a fresh context; resolves to the bytes on the wire per path. */
async function coldLoad(browser, url, options, ready) {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = {};
  const wire = {};
  cdp.on('Network.requestWillBeSent', (e) => { urls[e.requestId] = new URL(e.request.url).pathname; });
  cdp.on('Network.loadingFinished', (e) => {
    const path = urls[e.requestId] ?? '?';
    wire[path] = (wire[path] ?? 0) + e.encodedDataLength;
  });
  await page.goto(url);
  await page.waitForSelector(ready, WAIT);
  // Let the service worker register and fetch what it fetches.
  await page.waitForTimeout(1500);
  const total = Object.values(wire).reduce((a, b) => a + b, 0);
  return { ctx, page, wire, total };
}

describe('bytes on the wire', () => {
  let server, browser, code;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    code = (await apiCreate(server.url)).code.replace('-', '');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a participant opening a join link loads the participant app within budget', async (t) => {
    const { ctx, wire, total } = await coldLoad(browser, `${server.url}/j/${code}`, PHONE, '#name');
    t.diagnostic(`participant first load: ${total} bytes (${(total / KiB).toFixed(1)} KiB) ${JSON.stringify(wire)}`);
    const paths = Object.keys(wire);
    assert.ok(paths.some((p) => /^\/participant_bg-[0-9a-f]{8}\.wasm$/.test(p)), JSON.stringify(paths));
    assert.ok(!paths.some((p) => p.startsWith('/cafe_client')), `no full-app file: ${JSON.stringify(paths)}`);
    assert.ok(total <= PARTICIPANT_BUDGET, `${total} bytes > ${PARTICIPANT_BUDGET}`);
    await ctx.close();
  });

  it('the full app stays within its budget', async (t) => {
    const { ctx, wire, total } = await coldLoad(browser, `${server.url}/new`, DESKTOP, '#cafe-title');
    t.diagnostic(`full first load: ${total} bytes (${(total / KiB).toFixed(1)} KiB) ${JSON.stringify(wire)}`);
    assert.ok(Object.keys(wire).some((p) => /^\/cafe_client_bg-[0-9a-f]{8}\.wasm$/.test(p)));
    assert.ok(total <= FULL_BUDGET, `${total} bytes > ${FULL_BUDGET}`);
    await ctx.close();
  });

  it('a repeat visit downloads no app bytes: the service worker has them', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/j/${code}`);
    await page.waitForSelector('#name', WAIT);
    // The service worker has copied this bundle (shell, script, wasm, style sheet).
    await page.waitForFunction(async () => {
      const keys = await caches.keys();
      if (!keys.length) return false;
      const cached = await (await caches.open(keys[0])).keys();
      return cached.some((r) => /participant_bg-.*\.wasm$/.test(r.url)) && cached.some((r) => r.url.endsWith('/participant.html'));
    }, null, WAIT);
    const again = await ctx.newPage();
    const fromNetwork = [];
    again.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (/\.(js|wasm|css)$/.test(path) && !r.fromServiceWorker()) fromNetwork.push(path);
    });
    const served = [];
    again.on('response', (r) => { if (r.fromServiceWorker()) served.push(new URL(r.url()).pathname); });
    await again.goto(`${server.url}/j/${code}`);
    await again.waitForSelector('#name', WAIT);
    assert.deepEqual(fromNetwork, [], 'app files came from the network');
    assert.ok(served.some((p) => p.endsWith('.wasm')), JSON.stringify(served));
    await ctx.close();
  });

  it('from the participant app, a staff page loads the full app', async () => {
    const ctx = await browser.newContext(DESKTOP);
    const page = await ctx.newPage();
    const scripts = [];
    page.on('request', (r) => { if (r.url().endsWith('.js')) scripts.push(new URL(r.url()).pathname); });
    await page.goto(`${server.url}/j/${code}`);
    await page.waitForSelector('#name', WAIT);
    await page.click('.organiser-link a');
    await page.waitForSelector('#cafe-title', WAIT);
    assert.equal(new URL(page.url()).pathname, '/new');
    assert.ok(scripts.some((p) => p.startsWith('/participant-')), JSON.stringify(scripts));
    assert.ok(scripts.some((p) => p.startsWith('/cafe_client-')), JSON.stringify(scripts));
    // And back: the browser goes back to the join page, the participant app again.
    await page.goBack();
    await page.waitForSelector('#name', WAIT);
    await ctx.close();
  });
});
