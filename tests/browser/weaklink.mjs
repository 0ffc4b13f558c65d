// Weak-link benchmark (issue 14): a participant opens a join link on an emulated 3G or
// 2G-class phone link with a cold cache, and we time what they see. Not a test: nothing here
// is asserted; the figures go to BENCHMARKS.md.
//
//   cargo build --release -p cafe-server
//   node tests/browser/weaklink.mjs [--runs 5] [--profile 3g|2g|all] [--missed 5,40]
//        [--offline-secs 30] [--sw allow|block] [--out target/weaklink.json]
//
// The server binary is $CAFE_SERVER_BIN, else target/release/cafe-server (a release build:
// a debug server reads the bundle from disk and is not what phones get).
//
// The link. Everything the phone sends and receives, HTTP and the WebSocket, goes through
// one TCP proxy (slowlink.mjs) that adds RTT/2 each way, a handshake RTT per connection, and
// clocks the bytes out at the profile's rate on one shared queue per direction. There is no
// CDP throttling: CDP's `Network.emulateNetworkConditions` does not touch WebSockets, shapes
// each request on its own (so the wasm and the WebSocket never compete for the link) and
// would double-throttle HTTP that also crosses the proxy. One proxy for everything is the
// phone's single radio link; its counters are the bytes on the wire (headers included,
// after Content-Encoding).
//
// Per run (fresh browser context: empty HTTP cache, no service worker yet; the page may
// install its service worker as a phone would, `--sw block` prevents that), times are from
// navigation start (performance.now() in the page), taken at the first animation frame
// after the condition holds (so a render-blocked page does not count as shown):
//   form     the join form's name input is on screen (the wasm's #name or the server-rendered
//            #prejoin-name); `title` says whether the café's name was on screen with it;
//   usable   the name is typed as soon as the form shows and Join pressed at once; the time
//            until the board's idea box (#idea-input) is on screen and enabled;
//   confirm  from the click on Post to the idea shown confirmed (its card's
//            data-pending="false"; pending cards say "Sending…");
//   bytes    down/up on the wire from navigation until the board is usable, split into
//            HTTP and WebSocket, and HTTP down for the whole first load (3 s after confirm).
// Then, once per profile and per N in --missed: the phone's link drops for --offline-secs
// (open connections cut, new ones refused) while another participant posts N ideas; when the
// link returns we count the bytes the phone downloads until it shows all N (plus 2 s).
import { writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, repo, PHONE, DESKTOP } from './harness.mjs';
import { startSlowLink } from './slowlink.mjs';

const PROFILES = {
  '3g': { label: '3G: 400 ms RTT, 400 kbit/s each way', rttMs: 400, kbps: 400 },
  '2g': { label: '2G-ish: 800 ms RTT, 250 kbit/s', rttMs: 800, kbps: 250 },
};

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('runs', 5));
const profileArg = arg('profile', 'all');
const profiles = profileArg === 'all' ? Object.keys(PROFILES) : profileArg.split(',');
const missed = arg('missed', '5,40').split(',').filter(Boolean).map(Number);
const offlineSecs = Number(arg('offline-secs', 30));
const sw = arg('sw', 'allow');
const out = arg('out', join(repo, 'target', 'weaklink.json'));
for (const p of profiles) if (!PROFILES[p]) throw new Error(`unknown profile ${p} (3g, 2g, all)`);
if (!process.env.CAFE_SERVER_BIN) {
  const release = join(repo, 'target', 'release', 'cafe-server');
  if (!existsSync(release)) throw new Error('build the release server (cargo build --release -p cafe-server) or set CAFE_SERVER_BIN');
  process.env.CAFE_SERVER_BIN = release;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const LONG = { timeout: 180000 };

// Runs in the page before its own scripts: marks the first frame after each condition.
const MARKS = () => {
  const m = (window.__marks = {});
  const pending = new Set();
  const mark = (key) => {
    if (m[key] || pending.has(key)) return;
    pending.add(key);
    requestAnimationFrame(() => { m[key] = performance.now(); });
  };
  const shown = (el) => el && el.getClientRects().length > 0;
  const check = () => {
    const name = document.querySelector('#prejoin-name, #name');
    if (shown(name)) {
      mark('form');
      if (m.titleShown === undefined) m.titleShown = !!document.querySelector('#prejoin-title');
    }
    const idea = document.querySelector('#idea-input');
    if (shown(idea) && !idea.disabled) mark('usable');
    if (m.postText) {
      for (const li of document.querySelectorAll('.note[data-pending="false"]')) {
        if (li.textContent.includes(m.postText)) mark('confirmed');
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('#post-idea')) m.clicked = performance.now();
  }, true);
};

const diff = (a, b) => ({
  down: b.down - a.down, up: b.up - a.up,
  http_down: b.http.down - a.http.down, ws_down: b.ws.down - a.ws.down,
});

async function joinAndPost(page, name, run, link, s0) {
  await page.waitForFunction(() => window.__marks?.form, null, LONG);
  // Type at once into whichever form is showing; the wasm may take over in between (it
  // carries the typed name over), so retry on the form that is there.
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await page.evaluate(() => !!window.__marks.usable || !!document.querySelector('#idea-input'))) break;
    try {
      const pre = page.locator('#prejoin-name');
      const input = (await pre.count()) ? pre : page.locator('#name');
      if ((await input.inputValue({ timeout: 2000 })) !== name) await input.fill(name, { timeout: 2000 });
      const btn = (await pre.count()) ? page.locator('#prejoin-join') : page.locator('#join');
      await btn.click({ timeout: 2000 });
      await page.waitForFunction(() => window.__marks.usable, null, LONG);
    } catch {
      await sleep(100);
    }
  }
  await page.waitForFunction(() => window.__marks.usable, null, LONG);
  const atUsable = diff(s0, link.snapshot());
  const text = `weak link run ${run} ${Date.now()}`;
  await page.fill('#idea-input', text);
  await page.evaluate((t) => { window.__marks.postText = t; }, text);
  await page.click('#post-idea');
  await page.waitForFunction(() => window.__marks.confirmed, null, LONG);
  return { ...(await page.evaluate(() => window.__marks)), atUsable };
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!v.length) return { median: null, worst: null };
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, worst: v[v.length - 1] };
}

const server = await startServer();
const browser = await launchBrowser();
const load0 = os.loadavg();
const report = { date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, runs, sw, offline_secs: offlineSecs, profiles: {} };
try {
  const cafe = await apiCreate(server.url, { title: 'Island water futures', description: 'How do our islands keep fresh water through the dry season?' });
  // The organiser (on a good link) opens the ideas phase so the idea box is enabled.
  const orgCtx = await browser.newContext(DESKTOP);
  const org = await orgCtx.newPage();
  await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
  await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
  await org.click('#phase-ideate', { timeout: 30000 });
  await org.waitForSelector('#phase-ideate[aria-pressed="true"]', { timeout: 30000 });
  // Another participant on a good link, who posts while the phone is offline.
  const other = await apiJoin(server.url, cafe.code, 'Tala');
  const posterCtx = await browser.newContext(DESKTOP);
  const poster = await posterCtx.newPage();
  await signIn(poster, server.url, cafe.cafe_id, other.token, 'Tala');
  await poster.goto(`${server.url}/c/${cafe.cafe_id}`);
  await poster.waitForSelector('#idea-input:enabled', { timeout: 30000 });

  let person = 0;
  for (const key of profiles) {
    const prof = PROFILES[key];
    const rows = [];
    let last = null;
    for (let run = 1; run <= runs; run++) {
      const link = await startSlowLink({ target: server.url, rttMs: prof.rttMs, kbps: prof.kbps });
      const ctx = await browser.newContext({ ...PHONE, serviceWorkers: sw === 'block' ? 'block' : 'allow' });
      const page = await ctx.newPage();
      await page.addInitScript(MARKS);
      const s0 = link.snapshot();
      await page.goto(`${link.url}/j/${cafe.code}`, { waitUntil: 'commit', ...LONG });
      const marks = await joinAndPost(page, `Sione ${++person}`, run, link, s0);
      await sleep(3000);
      const all = diff(s0, link.snapshot());
      const row = {
        form_ms: Math.round(marks.form),
        title_shown: !!marks.titleShown,
        usable_ms: Math.round(marks.usable),
        confirm_ms: Math.round(marks.confirmed - marks.clicked),
        first_load_http_down: all.http_down,
        first_load_down: all.down,
        first_load_up: all.up,
        ws_down: all.ws_down,
        connections: link.stats.connections,
        usable_down: marks.atUsable.down,
        usable_http_down: marks.atUsable.http_down,
        usable_ws_down: marks.atUsable.ws_down,
      };
      rows.push(row);
      console.error(`${key} run ${run}: ${JSON.stringify(row)}`);
      if (last) { await last.ctx.close(); await last.link.close(); }
      last = { ctx, page, link };
    }
    // Offline and back, on the last run's phone.
    const offline = [];
    for (const n of missed) {
      const { page, link } = last;
      const marker = `missed-${key}-${n}-${Date.now()}`;
      link.setOffline(true);
      const began = Date.now();
      for (let k = 1; k <= n; k++) {
        await poster.fill('#idea-input', `${marker} idea ${k} of ${n}: rain tanks, fog nets, mangroves`);
        await poster.click('#post-idea');
        await sleep(150);
      }
      await poster.waitForFunction(
        (m) => [...document.querySelectorAll('.note[data-pending="false"]')].filter((l) => l.textContent.includes(m)).length,
        marker, LONG,
      );
      await sleep(Math.max(0, offlineSecs * 1000 - (Date.now() - began)));
      const s0 = link.snapshot();
      const back = Date.now();
      link.setOffline(false);
      await page.waitForFunction(
        ([m, want]) => [...document.querySelectorAll('.note')].filter((l) => l.textContent.includes(m)).length >= want,
        [marker, n], LONG,
      );
      const caughtUp = Date.now() - back;
      await sleep(2000);
      const d = diff(s0, link.snapshot());
      const row = { missed: n, caught_up_ms: caughtUp, down: d.down, ws_down: d.ws_down, http_down: d.http_down, up: d.up, per_idea: Math.round(d.down / n) };
      offline.push(row);
      console.error(`${key} offline: ${JSON.stringify(row)}`);
    }
    await last.ctx.close();
    await last.link.close();
    const summary = {};
    for (const f of ['form_ms', 'usable_ms', 'confirm_ms', 'usable_down', 'first_load_http_down', 'first_load_down', 'ws_down']) {
      summary[f] = stats(rows.map((r) => r[f]));
    }
    report.profiles[key] = { ...prof, rows, summary, offline };
  }
} finally {
  await browser.close();
  await server.stop();
}
report.loadavg_start = load0;
report.loadavg_end = os.loadavg();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2));

const s = (ms) => (ms == null ? '–' : `${(ms / 1000).toFixed(2)} s`);
const kib = (b) => (b == null ? '–' : `${(b / 1024).toFixed(1)} KiB`);
const lines = [
  `Weak links, ${runs} runs per profile, cold cache, service worker ${sw}; ${report.cpus} CPUs (${report.cpu}), load ${load0.map((x) => x.toFixed(2)).join(' ')} → ${report.loadavg_end.map((x) => x.toFixed(2)).join(' ')}`,
  '',
  '| link | join form visible | idea box usable | post → confirmed | down until usable | first load, HTTP down |',
  '|---|---|---|---|---|---|',
];
for (const [key, p] of Object.entries(report.profiles)) {
  const m = p.summary;
  lines.push(`| ${p.label} | ${s(m.form_ms.median)} (worst ${s(m.form_ms.worst)})${p.rows.every((r) => r.title_shown) ? ', with the café\'s name' : ''} | ${s(m.usable_ms.median)} (worst ${s(m.usable_ms.worst)}) | ${s(m.confirm_ms.median)} (worst ${s(m.confirm_ms.worst)}) | ${kib(m.usable_down.median)} | ${kib(m.first_load_http_down.median)} |`);
}
lines.push('', `| link | offline ${offlineSecs} s, ideas missed | bytes down after return | per missed idea | caught up after return |`, '|---|---|---|---|---|');
for (const p of Object.values(report.profiles)) {
  for (const o of p.offline) lines.push(`| ${p.label} | ${o.missed} | ${kib(o.down)} (WebSocket ${kib(o.ws_down)}) | ${o.per_idea} B | ${s(o.caught_up_ms)} |`);
}
console.log(lines.join('\n'));
console.log(`\nwritten to ${out}`);
