// The café's question leads every screen (issue 11, item 2) in real Chromium: a facilitator
// creates a café with a question in the UI; a phone's board and the projector show it; the
// facilitator edits it in the console and both show the new text without a reload; a
// refused edit shows the server's reason inside the form; a round's own question then leads
// with the café's still visible. Screenshots (360×740 board, 1366×768 console with the form
// open, 1920×1080 projector, Arabic board) go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiJoin, signIn, PHONE, LAPTOP } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-question-shots');
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };
const FIRST = 'How might our islands keep fresh water flowing through a drought?';
const EDITED = 'How might every household on the islands save a bucket of water a day?';
const ARABIC = 'كيف يمكن لكل بيت في الجزر أن يوفّر دلوًا من الماء كل يوم؟';

describe('the café question leads the board, the projector and the console', () => {
  let server, browser, org, phone, projector, cafeId, code, consoleUrl, projectorUrl;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const text = async (page, sel) => (await page.textContent(sel))?.trim();

  it('the facilitator creates a café with its question in the UI', async () => {
    org = await (await browser.newContext(LAPTOP)).newPage();
    await org.goto(`${server.url}/new`);
    assert.match(await org.textContent('label:has(#cafe-description)'), /question/i);
    await org.fill('#cafe-title', 'Island water futures');
    await org.fill('#cafe-description', FIRST);
    await org.fill('#organiser-name', 'Mele');
    await org.click('#create');
    await org.waitForSelector('#join-code', WAIT);
    code = (await org.textContent('#join-code')).trim();
    consoleUrl = await org.getAttribute('#open-console', 'href');
    projectorUrl = await org.getAttribute('#open-projector', 'href');
    cafeId = consoleUrl.split('/')[2];
    await org.goto(`${server.url}${consoleUrl}`);
    await org.waitForSelector('.conn-ok', WAIT);
    assert.equal(await text(org, '.question-card #cafe-question'), FIRST);
  });

  it('a participant’s phone and the projector show the question', async () => {
    phone = await (await browser.newContext(PHONE)).newPage();
    const ana = await apiJoin(server.url, code.replace('-', ''), 'Ana');
    await signIn(phone, server.url, cafeId, ana.token, 'Ana');
    await phone.goto(`${server.url}/c/${cafeId}`);
    await phone.waitForSelector('.conn-ok', WAIT);
    assert.equal(await text(phone, '#question #cafe-question'), FIRST);
    // It leads the board: nothing but the top bar above it, and it wraps inside 360 px.
    const first = await phone.evaluate(() => document.querySelector('#board').querySelector('.prompt, .card, section')?.id);
    assert.equal(first, 'question');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (content is ${width} px)`);
    assert.equal(await phone.getAttribute('#cafe-question', 'dir'), 'auto');

    projector = await (await browser.newContext(PROJECTOR)).newPage();
    await projector.goto(`${server.url}${projectorUrl}`);
    await projector.waitForSelector('#projector-code', WAIT);
    assert.equal(await text(projector, '#question #cafe-question'), FIRST);
    const px = await projector.evaluate(() => parseFloat(getComputedStyle(document.querySelector('#cafe-question')).fontSize));
    assert.ok(px >= 48, `the projector's question is big (${px} px)`);
  });

  it('the facilitator edits the question; phone and projector follow without a reload', async () => {
    await org.click('#edit-cafe');
    assert.equal(await org.inputValue('#edit-title'), 'Island water futures');
    assert.equal(await org.inputValue('#edit-question'), FIRST);
    await org.fill('#edit-question', EDITED);
    await org.fill('#edit-title', 'Island water, every day');
    await org.screenshot({ path: join(shots, 'question-console-1366.png') });
    // The page that loaded before the edit must change in place: mark it and check the mark.
    await phone.evaluate(() => { window.__same = true; });
    await projector.evaluate(() => { window.__same = true; });
    await org.click('#edit-save');
    await org.waitForSelector('#edit-cafe-form', { state: 'detached', ...WAIT });
    assert.equal(await text(org, '.question-card #cafe-question'), EDITED);
    for (const page of [phone, projector]) {
      await page.waitForSelector(`#cafe-question:text-is("${EDITED}")`, WAIT);
      assert.equal(await page.evaluate(() => window.__same), true, 'no reload');
    }
    await projector.waitForSelector('.proj-title:text-is("Island water, every day")', WAIT);
    await phone.waitForSelector('.topbar :text("Island water, every day")', WAIT);
  });

  it('a refused edit shows the server’s reason in the form and keeps it open', async () => {
    await org.click('#edit-cafe');
    await org.fill('#edit-title', '   ');
    // Past the browser's own check (required), so the server is the one that says no.
    await org.evaluate(() => document.querySelector('#edit-title').removeAttribute('required'));
    await org.click('#edit-save');
    await org.waitForSelector('#edit-error', WAIT);
    assert.match(await text(org, '#edit-error'), /title/i);
    assert.ok(await org.isVisible('#edit-cafe-form'), 'the form stays open to fix it');
    await org.click('#edit-cafe-form button.btn-ghost');
    await org.waitForSelector('#edit-cafe', WAIT);
    assert.equal(await text(phone, '#cafe-question'), EDITED, 'nothing changed');
  });

  it('a round’s question leads, the café’s stays visible beneath it', async () => {
    await org.fill('#table-name', 'Reef');
    await org.click('#create-table');
    await org.waitForSelector('#start-round:not([disabled])', WAIT);
    await org.fill('#round-prompt', 'What would you try first on your own street?');
    await org.click('#start-round');
    for (const page of [phone, projector, org]) {
      await page.waitForSelector('#prompt:text-is("What would you try first on your own street?")', WAIT);
      assert.equal(await text(page, '#cafe-question'), EDITED);
    }
    await phone.screenshot({ path: join(shots, 'question-board-360.png') });
    await projector.screenshot({ path: join(shots, 'question-projector-1920.png') });
  });

  it('in Arabic the board lays out right to left around a question in any script', async () => {
    await org.click('#edit-cafe');
    await org.fill('#edit-question', ARABIC);
    await org.click('#edit-save');
    await org.waitForSelector('#edit-cafe-form', { state: 'detached', ...WAIT });
    const ar = await (await browser.newContext(PHONE)).newPage();
    const sam = await apiJoin(server.url, code.replace('-', ''), 'Samira');
    await signIn(ar, server.url, cafeId, sam.token, 'Samira');
    await ar.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await ar.goto(`${server.url}/c/${cafeId}`);
    await ar.waitForSelector('.conn-ok', WAIT);
    await ar.waitForSelector(`#cafe-question:text-is("${ARABIC}")`, WAIT);
    assert.equal(await ar.evaluate(() => document.documentElement.dir), 'rtl');
    assert.equal(await ar.evaluate(() => getComputedStyle(document.querySelector('#cafe-question')).direction), 'rtl');
    const width = await ar.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (content is ${width} px)`);
    await ar.screenshot({ path: join(shots, 'question-board-ar-360.png') });
  });
});
