// The one-step vote and a screen per phase (issue 11, items 3 and 4) in real Chromium: a
// facilitator's console at 1366×768 and two phones at 360×740. Entering the vote phase puts
// the ballot on both phones at once; as dots are cast, "N of M have voted" moves on the
// console and the phones; moving to results shows the ranked results (no ballot); closing
// shows a thank-you with the results and nothing that invites action. axe runs on each
// phase's board. Screenshots (each phase on a phone, Arabic for vote and closed, the
// console's vote card) go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-vote-shots');
const QUESTION = 'How do our islands keep fresh water through the dry season?';


describe('the vote opens with its phase and every phase has its own screen', () => {
  let server, browser, cafe, org, ana, ben, arabic, samiraToken;

  const open = async (options, token, name, path = '', lang) => {
    const page = await (await browser.newContext(options)).newPage();
    await signIn(page, server.url, cafe.cafe_id, token, name, name === 'Mele' ? cafe.projector_token : undefined);
    if (lang) await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
    await page.goto(`${server.url}/c/${cafe.cafe_id}${path}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return page;
  };
  const phase = async (name) => {
    await org.click(`#phase-${name}`);
    for (const page of [ana, ben, arabic]) await page.waitForSelector(`#board[data-phase="${name}"]`, WAIT);
  };
  const noAction = async (page, why) => {
    for (const sel of ['#idea-input', '#post-idea', '#hand', '#ready', '.cast-dot']) {
      assert.equal(await page.locator(sel).count(), 0, `${why}: no ${sel}`);
    }
  };
  const checkAxe = async (page, why) => {
    const bad = await audit(page);
    assert.deepEqual(bad, [], `${why}: ${JSON.stringify(bad, null, 2)}`);
  };
  const shot = (page, name) => page.screenshot({ path: join(shots, name), fullPage: false });
  // The console at 1366×768 with the vote card just under the (sticky) top bar.
  const cardShot = async (name) => {
    await org.evaluate(() => {
      const card = document.querySelector('#vote-card');
      const bar = document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0;
      window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - bar - 8);
    });
    await shot(org, name);
  };

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { description: QUESTION });
    const a = await apiJoin(server.url, cafe.code, 'Ana', 'room');
    const b = await apiJoin(server.url, cafe.code, 'Ben', 'remote');
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    ana = await open(PHONE, a.token, 'Ana');
    ben = await open(PHONE, b.token, 'Ben');
    // A third phone reads in Arabic; it votes too (so M is 3 until it leaves).
    samiraToken = (await apiJoin(server.url, cafe.code, 'Samira', 'room')).token;
    arabic = await open(PHONE, samiraToken, 'Samira', '', 'ar');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lobby: a welcome, the question, and nothing to write yet', async () => {
    await ana.waitForSelector('#board[data-phase="lobby"]', WAIT);
    assert.equal((await ana.textContent('#cafe-question')).trim(), QUESTION);
    assert.match(await ana.textContent('#phase-now'), /Welcome/);
    assert.equal(await ana.locator('#idea-input').count(), 0, 'no idea box in the lobby');
    await checkAxe(ana, 'lobby');
    await shot(ana, 'phase-lobby-360.png');
  });

  it('ideate: the round’s question, its timer and the idea box', async () => {
    await org.fill('#table-name', 'Reef');
    await org.click('#create-table');
    await org.waitForSelector('#start-round:not([disabled])', WAIT);
    await phase('ideate');
    await org.fill('#round-prompt', 'What would you try first on your own street?');
    await org.click('#start-round');
    await ana.waitForSelector('#prompt:text-is("What would you try first on your own street?")', WAIT);
    await ana.waitForSelector('.topbar [role="timer"]', WAIT);
    for (const [page, text] of [[ana, 'Fog nets on the ridges'], [ben, 'Rain tanks on school roofs'], [ana, 'Fix leaking pipes first']]) {
      // Write on the plenary, which the vote is on.
      const plenary = page.locator('.tab:has-text("Plenary")');
      if (await plenary.count()) await plenary.click();
      await page.fill('#idea-input', text);
      await page.click('#post-idea');
      await page.locator('.note:not(.note-pending)', { hasText: text }).first().waitFor(WAIT);
    }
    await checkAxe(ana, 'ideate');
    await shot(ana, 'phase-ideate-360.png');
  });

  it('group: the round’s prompt and timer are gone, no idea box for participants', async () => {
    await phase('group');
    await ana.waitForSelector('#prompt', { state: 'detached', ...WAIT });
    await ana.waitForSelector('.topbar [role="timer"]', { state: 'detached', ...WAIT });
    assert.equal(await ana.locator('#idea-input').count(), 0);
    assert.match(await ana.textContent('#phase-now'), /group the ideas into themes/);
    await checkAxe(ana, 'group');
    await shot(ana, 'phase-group-360.png');
  });

  it('the console prepares the vote; entering the vote phase opens it on every phone at once', async () => {
    await org.waitForSelector('#vote-card', WAIT);
    await org.check('#vote-scope-plenary');
    await org.fill('#vote-budget', '3');
    await org.press('#vote-budget', 'Tab');
    // The prepared vote is café state: a second console (a co-facilitator) shows it too.
    const co = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await co.waitForFunction(() => document.querySelector('#vote-budget')?.value === '3', null, WAIT);
    await co.context().close();
    assert.match(await org.textContent('#vote-draft-status'), /opens this vote on every phone/);
    await cardShot('console-vote-card-draft-1366.png');
    await phase('vote');
    // No second click: the ballot is there.
    for (const page of [ana, ben]) {
      await page.waitForSelector('#vote .ballot-item', WAIT);
      assert.match(await page.textContent('#dots-left'), /3 dots left/);
      assert.equal(await page.locator('#idea-input').count(), 0, 'no idea box while voting');
    }
    // "Open vote" is not offered while this vote is open, and the console says why.
    await org.waitForSelector('#open-vote[disabled]', WAIT);
    await org.waitForSelector('#open-vote-why', WAIT);
    await org.waitForSelector('#vote-card .turnout:text-is("0 of 3 have voted")', WAIT);
    await ana.waitForSelector('#vote .turnout:text-is("0 of 3 have voted")', WAIT);
    await checkAxe(ana, 'vote');
  });

  it('as dots are cast, “N of M have voted” moves on the console and the phones', async () => {
    const fog = ana.locator('.ballot-item', { hasText: 'Fog nets' });
    await fog.locator('.cast-dot').click();
    await ana.waitForSelector('#dots-left:has-text("2 dots left")', WAIT);
    await fog.locator('.cast-dot').click();
    await ana.waitForSelector('#dots-left:has-text("1 dot left")', WAIT);
    await ben.waitForSelector('#vote .turnout:text-is("1 of 3 has voted")', WAIT);
    await ben.locator('.ballot-item', { hasText: 'Rain tanks' }).locator('.cast-dot').click();
    await ben.waitForSelector('#dots-left:has-text("2 dots left")', WAIT);
    // Samira puts her phone away without voting: M follows who is here.
    await arabic.waitForSelector('#vote .ballot-item', WAIT);
    await shot(arabic, 'phase-vote-ar-360.png');
    await arabic.context().close();
    for (const page of [org, ana, ben]) {
      await page.waitForSelector('.turnout:text-is("2 of 2 have voted")', { timeout: 30000 });
    }
    // Only a count: nobody's name next to it, and the hidden totals stay hidden.
    assert.equal(await ben.locator('#vote .results').count(), 0);
    await shot(ana, 'phase-vote-360.png');
    await cardShot('console-vote-1366.png');
  });

  it('results: the ranked results, no ballot', async () => {
    await org.click('#phase-results');
    for (const page of [ana, ben]) {
      await page.waitForSelector('#board[data-phase="results"]', WAIT);
      await page.waitForSelector('#results .result-row', WAIT);
      assert.equal(await page.locator('.ballot-item').count(), 0, 'no ballot in results');
      assert.equal(await page.locator('#idea-input').count(), 0);
    }
    const rows = ana.locator('#results .result-row');
    assert.match(await rows.nth(0).textContent(), /Fog nets.*2 dots/);
    assert.match(await rows.nth(1).textContent(), /Rain tanks.*1 dot$/);
    await checkAxe(ana, 'results');
    await shot(ana, 'phase-results-360.png');
  });

  it('closed: a thank-you, the question and the results; nothing invites action', async () => {
    await org.click('#phase-closed');
    // The Closed button may ask to confirm (a big action).
    const confirm = org.locator('#confirm-closed, button:has-text("Close the café")');
    if (await confirm.count()) await confirm.first().click();
    // Samira comes back to her phone after the café closed.
    arabic = await open(PHONE, samiraToken, 'Samira', '', 'ar');
    for (const page of [ana, ben, arabic]) {
      await page.waitForSelector('#board[data-phase="closed"]', WAIT);
      await page.waitForSelector('#closed', WAIT);
      await page.waitForSelector('#results .result-row', WAIT);
      await noAction(page, 'closed');
      assert.equal((await page.textContent('#cafe-question')).trim(), QUESTION);
      assert.equal(await page.locator('.topbar [role="timer"]').count(), 0, 'no timer when closed');
    }
    assert.match(await ana.textContent('#closed'), /Thank you for taking part/);
    assert.equal(await arabic.evaluate(() => document.documentElement.dir), 'rtl');
    const width = await arabic.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (content is ${width} px)`);
    await checkAxe(ana, 'closed');
    await checkAxe(arabic, 'closed in Arabic');
    await shot(ana, 'phase-closed-360.png');
    await shot(arabic, 'phase-closed-ar-360.png');
  });
});
