// The whole café in real headless Chromium against the real server: an organiser creates a
// café in the UI, a facilitator console, a phone participant (360×740, in the room) and a
// remote participant join by code, ideas flow live to every screen, phases and the timer
// run, a hidden dot vote is cast and revealed, the projector ranks the results, an idea
// posted offline arrives exactly once, a reload keeps the pending outbox, Arabic is RTL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, DESKTOP } from './harness.mjs';

const WAIT = { timeout: 15000 };

describe('Innovation Café in the browser', () => {
  let server, browser;
  let org, orgCtx, projector, projCtx, ana, anaCtx, ben, benCtx, scribe;
  let code, cafeId, consoleUrl, projectorUrl;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const notes = (page, text) => page.locator('.note', { hasText: text });

  it('the app loads its content-named wasm brotli-encoded (Content-Encoding)', async (t) => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const bytes = {};
    const encoding = {};
    page.on('response', async (r) => {
      const path = new URL(r.url()).pathname;
      encoding[path] = (await r.allHeaders())['content-encoding'];
      const body = await r.body().catch(() => null);
      if (body) bytes[path] = body.length;
    });
    await page.goto(server.url);
    await page.waitForSelector('#join', WAIT);
    await page.waitForTimeout(300);
    const wasm = Object.keys(bytes).find((p) => /^\/participant_bg-[0-9a-f]{8}\.wasm$/.test(p));
    const js = Object.keys(bytes).find((p) => /^\/participant-[0-9a-f]{8}\.js$/.test(p));
    assert.ok(wasm && bytes[wasm] > 0, JSON.stringify(bytes));
    // Chromium sends `br` over HTTPS and to localhost.
    assert.equal(encoding[wasm], 'br', JSON.stringify(encoding));
    assert.equal(encoding[js], 'br', JSON.stringify(encoding));
    assert.ok(!Object.keys(bytes).some((p) => p.endsWith('.br') || p.endsWith('.gz')), 'no separate sibling fetch');
    // Playwright reports decoded bodies; the transfer size is what the build script prints.
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    t.diagnostic(`first load decoded: ${Math.round(total / 1024)} KiB (${JSON.stringify(bytes)})`);
    await ctx.close();
  });

  it('an organiser creates a café in the UI and gets code, QR and links', async () => {
    orgCtx = await browser.newContext(DESKTOP);
    org = await orgCtx.newPage();
    await org.goto(`${server.url}/new`);
    await org.fill('#cafe-title', 'Island water futures');
    await org.fill('#organiser-name', 'Mele');
    await org.click('#create');
    await org.waitForSelector('#join-code', WAIT);
    code = (await org.textContent('#join-code')).trim();
    assert.match(code, /^[2-9A-Z]{3,4}-[2-9A-Z]{3,4}$/);
    const qr = await org.getAttribute('img.qr', 'src');
    assert.match(qr, /^\/api\/cafes\/[^/]+\/qr\.svg$/);
    consoleUrl = await org.getAttribute('#open-console', 'href');
    projectorUrl = await org.getAttribute('#open-projector', 'href');
    cafeId = consoleUrl.split('/')[2];
    assert.match(projectorUrl, /#token=.+/);
    const qrStatus = await org.evaluate(async (u) => (await fetch(u)).status, qr);
    assert.equal(qrStatus, 200);
  });

  it('the facilitator console and the projector connect', async () => {
    await org.goto(`${server.url}${consoleUrl}`);
    await org.waitForSelector('#phase-lobby[aria-pressed="true"]', WAIT);
    await org.waitForSelector('.conn-ok', WAIT);
    projCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    projector = await projCtx.newPage();
    await projector.goto(`${server.url}${projectorUrl}`);
    await projector.waitForSelector('#projector-code', WAIT);
    assert.equal((await projector.textContent('#projector-code')).trim(), code);
  });

  it('a phone participant joins with a join link, a remote one by typing the code', async () => {
    anaCtx = await browser.newContext(PHONE);
    ana = await anaCtx.newPage();
    await ana.goto(`${server.url}/j/${code.replace('-', '')}`);
    assert.equal(await ana.inputValue('#code'), code, 'the join link fills in the code');
    await ana.fill('#name', 'Ana');
    await ana.click('#join');
    await ana.waitForURL(`**/c/${cafeId}`, WAIT);
    await ana.waitForSelector('.conn-ok', WAIT);
    const width = await ana.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (content is ${width} px)`);

    benCtx = await browser.newContext(DESKTOP);
    ben = await benCtx.newPage();
    await ben.goto(server.url);
    await ben.fill('#code', code.toLowerCase());
    await ben.fill('#name', 'Ben');
    await ben.click('label.seg:has(input[value="remote"])');
    await ben.click('#join');
    await ben.waitForURL(`**/c/${cafeId}`, WAIT);
    await ben.waitForSelector('.conn-ok', WAIT);

    await org.waitForSelector('#count-remote:text("1")', WAIT);
    await org.waitForSelector('#people :text("Ana")', WAIT);
    await org.waitForSelector('#people :text("Ben")', WAIT);
  });

  it('the facilitator opens the ideate phase and ideas appear on every page live', async () => {
    await org.click('#phase-ideate');
    await ana.waitForSelector('#idea-input', WAIT);
    await ana.fill('#idea-input', 'Solar desalination kiosks for every island');
    await ana.click('#post-idea');
    await ben.waitForSelector('#idea-input', WAIT);
    await ben.fill('#idea-input', 'Rainwater tanks on every school roof');
    await ben.click('#post-idea');
    for (const page of [ana, ben, org, projector]) {
      await notes(page, 'Solar desalination kiosks').first().waitFor(WAIT);
      await notes(page, 'Rainwater tanks on every school roof').first().waitFor(WAIT);
    }
  });

  it('the facilitator runs a timer that every screen shows', async () => {
    await org.fill('#timer-minutes', '2');
    await org.click('#timer-start');
    for (const page of [ana, ben, projector]) {
      await page.waitForSelector('.timer-running .timer-digits', WAIT);
      const txt = (await page.textContent('.timer-running .timer-digits')).trim();
      assert.match(txt, /^[12]:\d\d$/, `timer shows ${txt}`);
    }
    await org.click('#timer-pause');
    await ana.waitForSelector('.timer-paused', WAIT);
    await org.click('#timer-resume');
    await ana.waitForSelector('.timer-running', WAIT);
  });

  it('an idea posted offline is kept, then arrives exactly once everywhere', async () => {
    await ben.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await benCtx.setOffline(true);
    await ben.waitForSelector('.conn-off', WAIT);
    await ben.fill('#idea-input', 'Mangrove nurseries protect the wells');
    await ben.click('#post-idea');
    await ben.waitForSelector('.note-pending:has-text("Mangrove nurseries")', WAIT);
    // Still offline, the page reloads from the service worker's cache with the saved board
    // and the unsent idea.
    await ben.reload();
    await ben.waitForSelector('.note-pending:has-text("Mangrove nurseries")', WAIT);
    await notes(ben, 'Rainwater tanks on every school roof').first().waitFor(WAIT);
    await ben.waitForSelector('.conn-off', WAIT);
    await benCtx.setOffline(false);
    await ben.waitForSelector('.conn-ok', WAIT);
    for (const page of [ana, ben, org, projector]) {
      await notes(page, 'Mangrove nurseries').first().waitFor(WAIT);
    }
    await ben.waitForSelector('.note-pending', { state: 'detached', ...WAIT });
    await ana.waitForTimeout(1500);
    for (const page of [ana, ben, org, projector]) {
      assert.equal(await notes(page, 'Mangrove nurseries').count(), 1);
    }
  });

  it('a reload keeps the pending outbox, and the idea is sent once after reconnecting', async () => {
    // The socket is swallowed (no server answers), so the idea stays in the outbox.
    let block = true;
    const mocks = [];
    await ben.routeWebSocket(/\/ws$/, (ws) => {
      if (block) mocks.push(ws);
      else ws.connectToServer();
    });
    await ben.reload();
    await ben.waitForSelector('#idea-input', WAIT);
    await ben.fill('#idea-input', 'Fog nets on the ridge');
    await ben.click('#post-idea');
    await ben.waitForSelector('.note-pending:has-text("Fog nets")', WAIT);
    await ben.reload();
    await ben.waitForSelector('.note-pending:has-text("Fog nets")', WAIT);
    const stored = await ben.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cafe.outbox.')).map((k) => localStorage.getItem(k)).join(''));
    assert.match(stored, /Fog nets/);
    block = false;
    for (const ws of mocks) await ws.close({ code: 1012, reason: 'restart' }).catch(() => {});
    await ben.waitForSelector('.conn-ok', WAIT);
    for (const page of [ana, ben, org, projector]) {
      await notes(page, 'Fog nets').first().waitFor(WAIT);
    }
    await ben.waitForTimeout(1500);
    for (const page of [ana, ben, org, projector]) {
      assert.equal(await notes(page, 'Fog nets').count(), 1);
    }
  });

  it('a table gets a host who scribes its paper notes and headcount', async () => {
    await org.fill('#table-name', 'Table 1');
    await org.selectOption('#table-kind', 'in_room');
    await org.click('#create-table');
    const host = org.locator('select[aria-label="Host of Table 1"]');
    await host.waitFor(WAIT);
    await host.selectOption({ label: 'Ana' });
    scribe = await anaCtx.newPage();
    await scribe.goto(`${server.url}/c/${cafeId}/scribe`);
    await scribe.waitForSelector('#scribe-input', WAIT);
    assert.match(await scribe.textContent('main'), /Table 1/);
    await scribe.fill('#headcount', '4');
    await scribe.press('#headcount', 'Enter');
    await scribe.waitForSelector('text=/Now: 4/', WAIT);
    for (const text of ['Paper: a village water committee', 'Paper: a hotline to report leaks']) {
      await scribe.fill('#scribe-input', text);
      await scribe.press('#scribe-input', 'Enter');
      await notes(scribe, text).first().waitFor(WAIT);
    }
    assert.equal(await scribe.inputValue('#scribe-input'), '', 'Enter posts and clears the box');
    await org.selectOption('#mod-board', { label: 'Table 1' });
    await notes(org, 'Paper: a hotline to report leaks').first().waitFor(WAIT);
    await org.selectOption('#mod-board', { label: 'Plenary' });
  });

  it('a hidden dot vote is cast, revealed and ranked on the projector', async () => {
    await org.click('#phase-group');
    await ana.waitForSelector('.phase-group', WAIT);
    // Entering the vote phase opens the prepared vote (the plenary, default budget): the
    // ballot is on the phones at once, and "Open vote" is not offered while it is open.
    await org.click('#phase-vote');
    await ana.waitForSelector('#vote .ballot-item', WAIT);
    await org.waitForSelector('#open-vote[disabled]', WAIT);
    const solar = ana.locator('.ballot-item', { hasText: 'Solar desalination' });
    await solar.locator('.cast-dot').click();
    await ana.waitForSelector('#dots-left:has-text("4")', WAIT);
    await solar.locator('.cast-dot').click();
    await ana.waitForSelector('#dots-left:has-text("3")', WAIT);
    await ben.waitForSelector('#vote .ballot-item', WAIT);
    await ben.locator('.ballot-item', { hasText: 'Fog nets' }).locator('.cast-dot').click();
    await ben.waitForSelector('#dots-left:has-text("4")', WAIT);
    // The host enters the paper table's tally on the plenary vote.
    await scribe.waitForSelector('#tally-title', WAIT);
    await scribe.getByLabel('Fog nets on the ridge').fill('3');
    await scribe.click('#tally-title ~ button[type="submit"]');
    // Hidden: nobody but facilitators sees totals before the reveal.
    await org.waitForSelector('text=/6 dots cast/', WAIT);
    assert.equal(await projector.locator('#projector-results').count(), 0);
    assert.equal(await ana.locator('#vote .results').count(), 0);

    await org.click('#reveal-vote');
    await projector.waitForSelector('#projector-results .result-row', WAIT);
    const rows = projector.locator('#projector-results .result-row');
    assert.match(await rows.nth(0).textContent(), /Fog nets.*4 dots/);
    assert.match(await rows.nth(1).textContent(), /Solar desalination.*2 dots/);
    await ana.waitForSelector('#vote .results .result-row', WAIT);
  });

  it('a removed participant is sent back to the landing page with a message', async () => {
    await org.getByRole('button', { name: 'Remove Ben' }).click();
    // Asked first (issue 11): the confirm button says it again.
    await org.click('[role="alertdialog"] .btn-danger');
    await ben.waitForURL(`${server.url}/`, WAIT);
    await ben.waitForSelector('.form-error', WAIT);
    assert.match(await ben.textContent('.form-error'), /access to this café has ended/);
    await org.waitForSelector('#count-remote:text("0")', WAIT);
  });

  it('switching to Arabic turns the page right to left and is remembered', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.selectOption('#lang', 'ar');
    await page.waitForSelector('html[dir="rtl"][lang="ar"]', WAIT);
    assert.equal(await page.textContent('#join'), 'انضمام');
    await page.reload();
    await page.waitForSelector('html[dir="rtl"][lang="ar"]', WAIT);
    await page.selectOption('#lang', 'zh');
    await page.waitForSelector('html[dir="ltr"][lang="zh"]', WAIT);
    await ctx.close();
  });
});

// The board offers posting exactly when the server accepts it (the shared `may_post`): a
// table host who scribes for a paper table may post while ideating and, at their own table,
// while grouping, but not in the lobby or while voting; a participant in the group phase is
// told what the phase is for instead of an idea box.
describe('the idea box follows the shared rules', () => {
  let server, browser, cafe, cafeUrl, org, host, ana;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    cafe = await apiCreate(server.url);
    cafeUrl = `${server.url}/c/${cafe.cafe_id}`;
    const hina = await apiJoin(server.url, cafe.code, 'Hina', 'room');
    const pita = await apiJoin(server.url, cafe.code, 'Pita', 'room');
    const open = async (options, token, name, path = '') => {
      const page = await (await browser.newContext(options)).newPage();
      await signIn(page, server.url, cafe.cafe_id, token, name, name === 'Mele' ? cafe.projector_token : undefined);
      await page.goto(`${cafeUrl}${path}`);
      await page.waitForSelector('.conn-ok', WAIT);
      return page;
    };
    org = await open(DESKTOP, cafe.organiser_token, 'Mele', '/console');
    await org.fill('#table-name', 'Table 1');
    await org.click('#create-table');
    const hostSelect = org.locator('select[aria-label="Host of Table 1"]');
    await hostSelect.waitFor(WAIT);
    await hostSelect.selectOption({ label: 'Hina' });
    host = await open(PHONE, hina.token, 'Hina');
    await host.waitForSelector('text=/Your table: Table 1/', WAIT);
    ana = await open(PHONE, pita.token, 'Pita');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Each phase's screen says what is happening (#phase-now) and offers no idea box to
  // those who may not post.
  const noIdeaBox = async (page, why) => {
    await page.waitForSelector('#phase-now', WAIT);
    assert.equal(await page.locator('#idea-input').count(), 0, `${why}: no idea box`);
    assert.equal(await page.locator('#post-idea').count(), 0, `${why}: no post button`);
  };

  it('a table host in the lobby is not offered the idea box', async () => {
    await host.waitForSelector('.phase-lobby', WAIT);
    await noIdeaBox(host, 'host in the lobby');
  });

  it('while ideating everyone may post, the host included', async () => {
    await org.click('#phase-ideate');
    for (const page of [host, ana]) {
      await page.waitForSelector('#idea-input', WAIT);
    }
    // The host's board is their table's: the note lands there.
    await host.fill('#idea-input', 'Paper: a village water committee');
    await host.click('#post-idea');
    await host.locator('.note:not(.note-pending)', { hasText: 'Paper: a village water committee' }).first().waitFor(WAIT);
  });

  it('a participant in the group phase sees why they cannot post', async () => {
    await org.click('#phase-group');
    await ana.waitForSelector('.phase-group', WAIT);
    await noIdeaBox(ana, 'participant while grouping');
    assert.match(await ana.textContent('#phase-now'), /group the ideas into themes/);
    // The host still scribes for their own table while grouping.
    await host.waitForSelector('.phase-group', WAIT);
    await host.waitForSelector('#idea-input', WAIT);
  });

  it('a table host in the vote phase is not offered the idea box', async () => {
    await org.click('#phase-vote');
    await host.waitForSelector('.phase-vote', WAIT);
    await noIdeaBox(host, 'host while voting');
    const scribe = await host.context().newPage();
    await scribe.goto(`${cafeUrl}/scribe`);
    await scribe.waitForSelector('.composer-closed', WAIT);
    assert.equal(await scribe.locator('#scribe-input').count(), 0, 'no scribe box while voting');
  });
});
