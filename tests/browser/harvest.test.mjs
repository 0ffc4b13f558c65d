// The World Café harvest (issue 11, item 1) in real Chromium: tables' notes reach the
// plenary. A facilitator sets up a virtual table in the console; a remote participant posts
// notes there from her phone; the facilitator selects two in the console's Harvest card and
// sends them, then the table's "top 1"; another participant's phone sees the notes on the
// plenary with where they came from ("From Table 3 · round 1 · Aisha · Remote"); a table
// host sees "Send to plenary" on their own table's notes and uses it. axe audits the console
// with the Harvest card. Screenshots (1366×768 console, Arabic console, 360×740 phone) go to
// $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-harvest-shots');
const NOTES = ['Rain tanks on every school roof', 'Fix the leaking mains first', 'A water-saving street challenge'];


describe('harvest: table notes reach the plenary with their provenance', () => {
  let server, browser, cafe, org, aisha, ben, hana;

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

  it('the facilitator opens a virtual table and a round; Aisha posts from her phone', async () => {
    const a = await apiJoin(server.url, cafe.code, 'Aisha', 'remote');
    const b = await apiJoin(server.url, cafe.code, 'Ben', 'room');
    const h = await apiJoin(server.url, cafe.code, 'Hana', 'room');
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await org.fill('#table-name', 'Table 3');
    await org.selectOption('#table-kind', 'virtual');
    await org.click('#create-table');
    await org.fill('#table-name', 'Window');
    await org.selectOption('#table-kind', 'in_room');
    await org.click('#create-table');
    // Hana hosts the Window (an in-room table).
    await org.waitForSelector('select[aria-label*="Window"] option:text-is("Hana")', { state: 'attached', ...WAIT });
    await org.selectOption('select[aria-label*="Window"]', { label: 'Hana' });
    await org.waitForSelector('#start-round:not([disabled])', WAIT);
    await org.fill('#round-prompt', 'How could the islands save water?');
    await org.click('#start-round');
    await org.click('#phase-ideate');

    aisha = await open(PHONE, a.token, 'Aisha');
    await aisha.waitForSelector('.topbar :text("Table 3")', WAIT);
    for (const text of NOTES) {
      await aisha.fill('#idea-input', text);
      await aisha.click('#post-idea');
      await aisha.waitForSelector(`#ideas .note-text:text-is("${text}")`, WAIT);
    }
    ben = await open(PHONE, b.token, 'Ben');
    hana = await open(PHONE, h.token, 'Hana');
    // Ben sits at the Window; the plenary is one tab away.
    await ben.click('nav.tabs button:has-text("Plenary")');
    await ben.waitForSelector('#board', WAIT);
    assert.equal(await ben.locator('#ideas .note').count(), 0, 'the plenary starts empty');
  });

  it('the console\'s Harvest card lists the table\'s notes with author and place', async () => {
    const t3 = await org.$eval('#harvest-table option:has-text("Table 3")', (o) => o.value);
    await org.selectOption('#harvest-table', t3);
    await org.waitForSelector('#harvest-notes .harvest-note >> nth=2', WAIT);
    const rows = await org.locator('#harvest-notes .harvest-note').allTextContents();
    assert.equal(rows.length, 3);
    // No table vote yet: most recent first.
    assert.match(rows[0], new RegExp(NOTES[2]));
    for (const r of rows) assert.match(r, /Aisha · Remote/);
    assert.equal(await org.isDisabled('#harvest-send'), true, 'nothing selected, nothing to send');
    assert.match(await org.textContent('#harvest-send'), /Tick notes/);
    const violations = await audit(org);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });

  it('the facilitator sends two selected notes, then the top 1', async () => {
    await org.check(`#harvest-notes .harvest-note:has-text("${NOTES[0]}") input`);
    await org.check(`#harvest-notes .harvest-note:has-text("${NOTES[1]}") input`);
    assert.match(await org.textContent('#harvest-send'), /Send 2 selected/);
    await org.click('#harvest-send');
    await org.waitForSelector('#harvest-feedback:has-text("Sent to the plenary: 2 notes from Table 3")', WAIT);
    assert.equal(await org.locator('#harvest-notes .badge-harvested').count(), 2);
    await org.locator('#harvest-card').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'harvest-console-1366.png') });
    await org.fill('#harvest-top', '1');
    assert.match(await org.textContent('#harvest-top-send'), /Send top 1/);
    await org.click('#harvest-top-send');
    await org.waitForSelector('#harvest-feedback:has-text("1 note from Table 3")', WAIT);
    assert.equal(await org.locator('#harvest-notes .badge-harvested').count(), 3);
    assert.equal(await org.locator('#harvest-notes input:not([disabled])').count(), 0, 'nothing left to send');
  });

  it('another phone sees the harvested notes on the plenary with their provenance', async () => {
    for (const text of NOTES) {
      await ben.waitForSelector(`#ideas .note:has-text("${text}") .note-from`, WAIT);
    }
    const from = await ben.textContent(`#ideas .note:has-text("${NOTES[0]}") .note-from`);
    assert.equal(from.trim(), 'From Table 3 · round 1 · Aisha · Remote');
    const width = await ben.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (content is ${width} px)`);
    await ben.locator(`#ideas .note:has-text("${NOTES[0]}")`).scrollIntoViewIfNeeded();
    await ben.screenshot({ path: join(shots, 'harvest-phone-plenary-360.png') });
    // Aisha's own table board marks them as sent.
    await aisha.waitForSelector(`#ideas .note:has-text("${NOTES[0]}") .badge-harvested`, WAIT);
  });

  it('a table host sends a note of their own table from the board', async () => {
    await hana.fill('#idea-input', 'Paper table: reuse grey water for gardens');
    await hana.click('#post-idea');
    const note = hana.locator('#ideas .note:has-text("reuse grey water")');
    await note.locator('.harvest-one').click(WAIT);
    await note.locator('.badge-harvested').waitFor(WAIT);
    await ben.waitForSelector('#ideas .note:has-text("reuse grey water") .note-from:has-text("Window")', WAIT);
    // Not offered on other tables' notes, nor to participants.
    assert.equal(await aisha.locator('.harvest-one').count(), 0);
    assert.equal(await ben.locator('.harvest-one').count(), 0);
    await hana.fill('#idea-input', 'Shade cloth over the reservoir');
    await hana.click('#post-idea');
    await hana.waitForSelector('#ideas .note:has-text("Shade cloth") .harvest-one', WAIT);
    await hana.locator('#ideas .note:has-text("Shade cloth")').scrollIntoViewIfNeeded();
    await hana.screenshot({ path: join(shots, 'harvest-host-board-360.png') });
    const violations = await audit(hana);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });

  it('a whole theme lands on the plenary as a theme with its notes', async () => {
    // The Window's host groups a note into a theme on her board.
    await hana.fill('#cluster-title', 'Shade');
    await hana.press('#cluster-title', 'Enter');
    await hana.waitForSelector('.cluster-title:text-is("Shade")', WAIT);
    await hana.selectOption('#ideas .note:has-text("Shade cloth") select', { label: 'Shade' });
    await hana.waitForSelector('.cluster:has(.cluster-title:text-is("Shade")) .note:has-text("Shade cloth")', WAIT);
    const w = await org.$eval('#harvest-table option:has-text("Window")', (o) => o.value);
    await org.selectOption('#harvest-table', w);
    await org.click('.harvest-theme[aria-label*="Shade"]');
    await org.waitForSelector('#harvest-feedback:has-text("Shade")', WAIT);
    await ben.waitForSelector('.cluster:has(.cluster-title:text-is("Shade")) .note:has-text("Shade cloth") .note-from', WAIT);
    // Sent already: the console says why it cannot be sent again.
    await org.waitForSelector('.harvest-theme[aria-label*="Shade"][disabled]', WAIT);
  });

  it('the Harvest card in Arabic', async () => {
    const ar = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console', 'ar');
    assert.equal(await ar.evaluate(() => document.documentElement.dir), 'rtl');
    await ar.waitForSelector('#harvest-card', WAIT);
    await ar.selectOption('#harvest-table', { index: 0 });
    await ar.locator('#harvest-card').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: join(shots, 'harvest-console-ar-1366.png') });
    const violations = await audit(ar);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });
});
