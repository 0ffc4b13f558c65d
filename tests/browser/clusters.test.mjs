// Clustering in the console (issue 12, item 1) in real Chromium: the facilitator creates
// themes in the console's Themes card, moves one note into a theme by keyboard only (its
// "Move to…" button, arrows, Enter; the move is announced), another by drag and drop, then
// renames, merges and deletes themes (merge and delete ask first). A participant seated at a
// table sees the plenary's themes with their notes on her phone without switching tabs, and,
// in a new café (themes are the facilitators'), is offered no "new theme" box on the
// plenary until the facilitator lets everyone make themes in the café's settings. axe audits
// the console and the phone. Screenshots (1366×768 console, 360×740 phone) go to
// $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-clusters-shots');
const NOTES = ['Rain tanks on every roof', 'Fix the leaking mains', 'A water-saving challenge'];

describe('clustering: themes in the console reach the phones', () => {
  let server, browser, cafe, org, ana;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = async (ctxOpts, token, name, path = '', lang) => {
    const page = await (await browser.newContext(ctxOpts)).newPage();
    await signIn(page, server.url, cafe.cafe_id, token, name);
    if (lang) await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
    await page.goto(`${server.url}/c/${cafe.cafe_id}${path}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return page;
  };
  const zone = (title) => `.themes > li:has(> .theme-head-row .theme-name:text-is("${title}"))`;
  const note = (text) => `.theme-note:has(.theme-note-text:text-is("${text}"))`;
  const idOf = async (title) => (await org.getAttribute(zone(title), 'data-theme'));

  it('Ana sits at a table and posts notes on the plenary; the café moves to grouping', async () => {
    const a = await apiJoin(server.url, cafe.code, 'Ana', 'room');
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await org.fill('#table-name', 'Window');
    await org.selectOption('#table-kind', 'in_room');
    await org.click('#create-table');
    await org.waitForSelector('#start-round:not([disabled])', WAIT);
    await org.fill('#round-prompt', 'How could the islands save water?');
    await org.click('#start-round');
    await org.click('#phase-ideate');
    ana = await open(PHONE, a.token, 'Ana');
    await ana.waitForSelector('.topbar :text("Window")', WAIT);
    await ana.click('nav.tabs button:has-text("Plenary")');
    for (const text of NOTES) {
      await ana.fill('#idea-input', text);
      await ana.click('#post-idea');
      await ana.waitForSelector(`#ideas .note-text:text-is("${text}")`, WAIT);
    }
    await org.click('#phase-group');
    await org.waitForSelector('#phase-group[aria-pressed="true"]', WAIT);
    // Grouping lifts the Themes card to just under the phase.
    const order = await org.$$eval('#console-cards .console-slot[data-when="now"]', (s) => s.map((e) => e.dataset.card));
    assert.deepEqual(order.slice(0, 2), ['phase', 'themes']);
  });

  it('a new café leaves themes to facilitators: Ana gets no "new theme" box', async () => {
    await ana.waitForSelector('#board[data-phase="group"]', WAIT);
    assert.equal(await ana.locator('#cluster-title').count(), 0);
  });

  it('the facilitator creates three themes in the console', async () => {
    for (const title of ['Rain', 'Pipes', 'Spare']) {
      await org.fill('#new-theme', title);
      await org.press('#new-theme', 'Enter');
      await org.waitForSelector(zone(title), WAIT);
    }
    for (const text of NOTES) await org.waitForSelector(`#theme-none ${note(text)}`, WAIT);
  });

  it('moves a note into a theme by keyboard only, and says so', async () => {
    // Tab order reaches the note's "Move to…" button; focus it as Tab would and use keys only.
    await org.focus(`#theme-none ${note(NOTES[0])} .move-note`);
    await org.keyboard.press('Enter');
    // The list opens on its first choice (Rain); arrows walk it and wrap.
    await org.waitForSelector('.move-menu .move-choice:focus', WAIT);
    assert.equal(await org.textContent('.move-menu .move-choice:focus'), 'Rain');
    await org.keyboard.press('ArrowDown');
    assert.equal(await org.textContent('.move-menu .move-choice:focus'), 'Pipes');
    await org.keyboard.press('ArrowUp');
    await org.keyboard.press('ArrowUp');
    assert.equal(await org.textContent('.move-menu .move-choice:focus'), 'Spare');
    await org.keyboard.press('ArrowDown');
    assert.equal(await org.textContent('.move-menu .move-choice:focus'), 'Rain');
    await org.keyboard.press('Enter');
    await org.waitForSelector(`${zone('Rain')} ${note(NOTES[0])}`, WAIT);
    assert.equal(await org.locator(`#theme-none ${note(NOTES[0])}`).count(), 0);
    // Focus follows the note to its new theme, so the keyboard user carries on from there.
    await org.waitForSelector(`${zone('Rain')} ${note(NOTES[0])} .move-note:focus`, WAIT);
    assert.match(await org.textContent('#themes-said'), /Rain tanks on every roof.*moved to Rain/);
    assert.equal(await org.getAttribute('#themes-said', 'aria-live'), 'polite');
  });

  it('moves another note by drag and drop', async () => {
    await org.locator(`#theme-none ${note(NOTES[1])}`).dragTo(org.locator(zone('Pipes')));
    await org.waitForSelector(`${zone('Pipes')} ${note(NOTES[1])}`, WAIT);
    assert.match(await org.textContent('#themes-said'), /moved to Pipes/);
  });

  it('renames a theme', async () => {
    const pipes = await idOf('Pipes');
    await org.click(`#rename-${pipes}`);
    await org.fill(`#rename-theme-${pipes}`, 'Fix the pipes');
    await org.press(`#rename-theme-${pipes}`, 'Enter');
    await org.waitForSelector(`${zone('Fix the pipes')} ${note(NOTES[1])}`, WAIT);
    await org.locator('[data-card="themes"]').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'console-themes-1366.png') });
  });

  it('merges a theme into another, after asking', async () => {
    const [pipes, rain] = [await idOf('Fix the pipes'), await idOf('Rain')];
    await org.selectOption(`#merge-into-${pipes}`, rain);
    await org.click(`#merge-${pipes}`);
    // Asked first: nothing moved yet, and the question names both themes.
    assert.match(await org.textContent(`#merge-${pipes}-question`), /Fix the pipes.*Rain/);
    assert.equal(await org.locator(zone('Fix the pipes')).count(), 1);
    assert.deepEqual(await audit(org), [], 'console with a question open');
    await org.click(`#merge-${pipes}-yes`);
    await org.waitForSelector(zone('Fix the pipes'), { state: 'detached', ...WAIT });
    await org.waitForSelector(`${zone('Rain')} ${note(NOTES[1])}`, WAIT);
    assert.equal(await org.locator(`${zone('Rain')} .theme-note`).count(), 2);
  });

  it('deletes a theme, after asking; its notes stay', async () => {
    await org.locator(`#theme-none ${note(NOTES[2])}`).dragTo(org.locator(zone('Spare')));
    await org.waitForSelector(`${zone('Spare')} ${note(NOTES[2])}`, WAIT);
    const spare = await idOf('Spare');
    await org.click(`#delete-${spare}`);
    await org.click(`#delete-${spare}-no`);
    assert.equal(await org.locator(zone('Spare')).count(), 1, 'cancel keeps it');
    await org.click(`#delete-${spare}`);
    await org.click(`#delete-${spare}-yes`);
    await org.waitForSelector(zone('Spare'), { state: 'detached', ...WAIT });
    await org.waitForSelector(`#theme-none ${note(NOTES[2])}`, WAIT);
    assert.deepEqual(await audit(org), [], 'console');
  });

  it('Ana\'s phone shows the plenary\'s theme with its notes under her table\'s board', async () => {
    await ana.click('nav.tabs button:has-text("Window")');
    const theme = '#plenary-themes .plenary-theme:has(.cluster-title:has-text("Rain"))';
    await ana.waitForSelector(`${theme} li:text-is("${NOTES[1]}")`, WAIT);
    await ana.waitForSelector(`${theme} li:text-is("${NOTES[0]}")`, WAIT);
    assert.equal(await ana.locator('#plenary-themes .plenary-theme').count(), 1, 'merged and deleted themes are gone');
    assert.equal(await ana.locator(`#plenary-themes li:text-is("${NOTES[2]}")`).count(), 0, 'a note in no theme is not listed');
    assert.deepEqual(await audit(ana), [], 'phone');
    await ana.locator('#plenary-themes').scrollIntoViewIfNeeded();
    await ana.screenshot({ path: join(shots, 'phone-themes-360.png') });
  });

  it('the setting lets everyone make themes: Ana gets the "new theme" box and uses it', async () => {
    await org.click('#edit-cafe');
    await org.check('#edit-creators-everyone');
    await org.click('#edit-save');
    await org.waitForSelector('#edit-cafe-form', { state: 'detached', ...WAIT });
    await ana.click('nav.tabs button:has-text("Plenary")');
    await ana.waitForSelector('#cluster-title', WAIT);
    await ana.fill('#cluster-title', 'Ana’s theme');
    await ana.press('#cluster-title', 'Enter');
    await org.waitForSelector(zone('Ana’s theme'), WAIT);
  });

  it('reads right to left in Arabic', async () => {
    const ar = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console', 'ar');
    await ar.waitForSelector('html[dir="rtl"]', WAIT);
    await ar.waitForSelector('#themes-title:text-is("المحاور")', WAIT);
    assert.deepEqual(await audit(ar), [], 'Arabic console');
    await ar.locator('[data-card="themes"]').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: join(shots, 'console-themes-ar-1366.png') });
  });
});
