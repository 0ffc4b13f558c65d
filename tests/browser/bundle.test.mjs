// The first load on a weak phone link: a participant opening a join link gets the small
// participant build of the app, and every staff screen (create, console, projector, scribe)
// gets its own build within 300 KiB, every byte counted as it crossed the wire (CDP's
// encodedDataLength: compressed bodies plus headers), cold cache; and as gzip, for a client
// that does not take brotli. A repeat visit takes the app from the service worker. Moving from
// the participant app to a staff page loads that page's build. The service worker's choice of
// shell offline agrees with the server's for every kind of address.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startServer, launchBrowser, apiCreate, PHONE, DESKTOP } from './harness.mjs';

const WAIT = { timeout: 20000 };
const KiB = 1024;
// Issue 14 asks for 150 KiB on the participant path; the build prints the figures and warns
// above it. Not met yet (issue 14 stays open): this bound sits just above what a join link
// costs today (the server-rendered page with its inlined stylesheet, the look-up, the
// participant script and wasm; see BENCHMARKS.md, "Bundle"), so a regression fails here.
// 195.9 KiB before issue 11's journey; its phase screens, one-step vote, harvest, host and
// floor banners and re-scan resume added about 12.5 KiB of wasm. Issue 12's actions (four
// events and commands, the action in every snapshot, the phone's list with the owner's
// status control) and the opt-in timer-end cue added about 9 KiB (218.6 KiB measured); its
// clustering (the plenary's themes under a table's board) about 2 KiB, its reactions (the
// phone's bar and its rate rule) about 4 KiB, its plurals, text direction and offline notes
// about 4 KiB; all of issue 12 together measured 230.7 KiB (BENCHMARKS.md, "Bundle per screen").
// Boxed entity maps and one reader for every wire enum took it to 222.9 KiB; reading
// structs as objects only, no JSON map reader and the projector's own style sheet: 207.3.
// The browser's fetch and storage called directly and English split per build (no console
// words on the phone): 203.3; import names without wasm-bindgen's hashes: 200.5.
const PARTICIPANT_BUDGET = 201 * KiB;
// Issue 11: every first load within 300 KiB as gzip (brotli, what browsers get, is less).
const STAFF_BUDGET = 300 * KiB;
// The console was the last over it: 344 KiB as gzip with issue 12's cards, 347.6 KiB with
// "open this console on another device" (issue 13), 321.4 KiB with boxed entity maps, one
// wire-enum reader and zopfli's gzip, 302.8 KiB with structs read as objects only, language
// tables without JSON and per-build CSS; 299.4 KiB with the browser's fetch and storage
// called directly, no rejection reasons in the browser and English split per build; 296.4 KiB
// with import names without wasm-bindgen's hashes (and the impact report's link).
const GZIP_BUDGET = { participant: STAFF_BUDGET, create: STAFF_BUDGET, console: STAFF_BUDGET, projector: STAFF_BUDGET, scribe: STAFF_BUDGET };
const BUILDS = ['participant', 'create', 'console', 'projector', 'scribe'];

/** The body of `path` exactly as sent for `Accept-Encoding: encoding`, and its headers. */
function raw(base, path, encoding) {
  return new Promise((resolve, reject) => {
    http.get(`${base}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), headers: res.headers }));
    }).on('error', reject);
  });
}

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
    assert.ok(!paths.some((p) => /^\/(create|console|projector|scribe)[-_]/.test(p)), `no staff build's file: ${JSON.stringify(paths)}`);
    assert.ok(total <= PARTICIPANT_BUDGET, `${total} bytes > ${PARTICIPANT_BUDGET}`);
    await ctx.close();
  });

  it('every staff screen loads its own build, within 300 KiB', async (t) => {
    const cafe = await apiCreate(server.url);
    const id = cafe.cafe_id;
    for (const [name, path] of [
      ['create', '/new'],
      ['console', `/c/${id}/console`],
      ['projector', `/c/${id}/projector`],
      ['scribe', `/c/${id}/scribe`],
    ]) {
      const { ctx, wire, total } = await coldLoad(browser, `${server.url}${path}`, DESKTOP, 'main');
      t.diagnostic(`${name} first load: ${total} bytes (${(total / KiB).toFixed(1)} KiB) ${JSON.stringify(wire)}`);
      const files = Object.keys(wire);
      assert.ok(files.some((p) => new RegExp(`^/${name}_bg-[0-9a-f]{8}\\.wasm$`).test(p)), `${path}: ${JSON.stringify(files)}`);
      assert.equal(files.filter((p) => p.endsWith('.wasm')).length, 1, `${path} loads one build: ${JSON.stringify(files)}`);
      assert.ok(total <= STAFF_BUDGET, `${path}: ${total} bytes > ${STAFF_BUDGET}`);
      await ctx.close();
    }
  });

  it('every build\'s first load is within 300 KiB as gzip too', async (t) => {
    const manifest = JSON.parse((await raw(server.url, '/manifest.json', 'identity')).body);
    for (const name of BUILDS) {
      const b = manifest.bundles[name];
      let total = 0;
      for (const f of [b.html, ...b.files, 'sw.js']) {
        const r = await raw(server.url, `/${f}`, 'gzip');
        assert.equal(r.headers['content-encoding'], 'gzip', f);
        total += r.body.length;
      }
      t.diagnostic(`${name} first load as gzip: ${total} bytes (${(total / KiB).toFixed(1)} KiB)`);
      assert.ok(total <= GZIP_BUDGET[name], `${name}: ${total} bytes gzip > ${GZIP_BUDGET[name]}`);
    }
  });

  it('offline, the service worker opens the same build for an address as the server', async () => {
    const manifest = JSON.parse((await raw(server.url, '/manifest.json', 'identity')).body);
    // The service worker's rule, read out of its source and run here.
    const sw = readFileSync(new URL('../../client-wasm/static/sw.js', import.meta.url), 'utf8');
    const rule = sw.match(/const bundleFor = (\(path\) => \{[\s\S]*?\n\});/);
    assert.ok(rule, 'sw.js has bundleFor');
    const bundleFor = eval(rule[1]);
    for (const path of ['/', '/j/K7MQ2P', '/c/abc', '/c/abc/', '/new', '/new/', '/c/abc/console', '/c/abc/projector/', '/c/abc/scribe', '/c/abc/console/x', '/elsewhere']) {
      const html = (await raw(server.url, path, 'identity')).body.toString();
      const served = BUILDS.filter((n) => manifest.bundles[n].files.some((f) => f.endsWith('.wasm') && html.includes(f)));
      assert.deepEqual(served, [bundleFor(path)], path);
    }
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

  it('from the participant app, a staff page loads its own build', async () => {
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
    assert.ok(scripts.some((p) => p.startsWith('/create-')), JSON.stringify(scripts));
    // And back: the browser goes back to the join page, the participant app again.
    await page.goBack();
    await page.waitForSelector('#name', WAIT);
    await ctx.close();
  });
});
