// The facilitator's toolkit (issue 12) in real Chromium: the moderation queue and private
// writing. With moderation on, Aisha's notes show "Waiting for approval" on her phone (never
// "Hidden") while Ben's phone shows nothing; the console lifts a "Waiting for approval" card
// right under the phase card; "Approve all" sends one command and Ben's phone shows the
// notes; a rejected note reads "Not approved" to its author and never reaches Ben. Then, in
// a second café, the facilitator starts private writing: each phone shows only its own
// notes and the console counts them, until "Reveal" shows everyone's. axe audits the console
// and both phone screens. Screenshots go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-moderation-shots');
const SETTINGS = { anonymous: false, moderation: true, default_budget: 5, default_per_item_cap: 3, default_visibility: 'hidden' };

function clean(violations) {
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
}

async function post(page, text) {
  await page.fill('#idea-input', text);
  await page.click('#post-idea');
  await page.waitForSelector(`#ideas .note:has-text("${text}")[data-pending="false"]`, WAIT);
}

describe('moderation: a queue, approve all, reject', () => {
  let server, browser, cafe, org, aisha, ben;
  const open = async (ctxOpts, token, name, path = '') => {
    const page = await (await browser.newContext(ctxOpts)).newPage();
    await signIn(page, server.url, cafe.cafe_id, token, name);
    await page.goto(`${server.url}/c/${cafe.cafe_id}${path}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return page;
  };

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { settings: SETTINGS });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a participant\'s notes say they wait for approval; another phone sees none', async () => {
    const a = await apiJoin(server.url, cafe.code, 'Aisha', 'remote');
    const b = await apiJoin(server.url, cafe.code, 'Ben', 'room');
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await org.click('#phase-ideate');
    aisha = await open(PHONE, a.token, 'Aisha');
    ben = await open(PHONE, b.token, 'Ben');
    await aisha.waitForSelector('#idea-input', WAIT);
    await post(aisha, 'Rain tanks on every school roof');
    await post(aisha, 'Fix the leaking mains first');
    const badges = await aisha.locator('#ideas .note .badge-waiting').allTextContents();
    assert.deepEqual(badges, ['Waiting for approval', 'Waiting for approval']);
    assert.equal(await aisha.locator('#ideas .badge-hidden').count(), 0, 'never "Hidden"');
    assert.doesNotMatch(await aisha.textContent('#ideas'), /Hidden/);
    await aisha.waitForSelector('#moderated-hint', WAIT);
    await ben.waitForSelector('#board', WAIT);
    assert.equal(await ben.locator('#ideas .note').count(), 0, 'nothing reaches Ben before approval');
    clean(await audit(aisha));
    await aisha.screenshot({ path: join(shots, 'phone-pending-360.png') });
  });

  it('the console lifts the queue under the phase card and approves all in one go', async () => {
    await org.waitForSelector('#queue .queue-item >> nth=1', WAIT);
    const now = await org.$$eval('#console-cards > .console-slot[data-when="now"]', (s) => s.map((x) => x.dataset.card));
    assert.deepEqual(now.slice(0, 2), ['phase', 'queue'], `cards now: ${now}`);
    assert.equal((await org.textContent('#approve-all')).trim(), 'Approve all (2)');
    const rows = await org.locator('#queue .queue-item').allTextContents();
    assert.match(rows[0], /Rain tanks on every school roof/);
    assert.match(rows[0], /Aisha · Plenary/);
    clean(await audit(org));
    await org.locator('#queue').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'console-moderation-1366.png') });
    // The same queue in Arabic (right to left), as a second facilitator's laptop shows it.
    const ar = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(ar, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele');
    await ar.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await ar.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await ar.waitForSelector('#queue .queue-item >> nth=1', WAIT);
    assert.match(await ar.textContent('#approve-all'), /الموافقة على الكل/);
    await ar.locator('#queue').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: join(shots, 'console-moderation-ar-1366.png') });
    await ar.context().close();
    await org.click('#approve-all');
    await org.waitForSelector('#queue', { state: 'detached', ...WAIT });
    await ben.waitForSelector('#ideas .note:has-text("Rain tanks on every school roof")', WAIT);
    await ben.waitForSelector('#ideas .note:has-text("Fix the leaking mains first")', WAIT);
    await aisha.waitForSelector('#ideas .badge-waiting', { state: 'detached', ...WAIT });
  });

  it('a rejected note reads "Not approved" to its author and never reaches another phone', async () => {
    await post(aisha, 'Sell the reservoir');
    await org.waitForSelector('#queue .queue-item:has-text("Sell the reservoir")', WAIT);
    await org.click('#queue .queue-item:has-text("Sell the reservoir") .reject-idea');
    await org.waitForSelector('#queue', { state: 'detached', ...WAIT });
    await aisha.waitForSelector('#ideas .note:has-text("Sell the reservoir") .badge-rejected:text-is("Not approved")', WAIT);
    // Ben's phone has had every event since: the two approved notes and nothing more.
    await ben.waitForSelector('#ideas .note >> nth=1', WAIT);
    assert.equal(await ben.locator('#ideas .note').count(), 2);
    assert.doesNotMatch(await ben.textContent('#ideas'), /Sell the reservoir/);
    clean(await audit(aisha));
  });
});

describe('private writing: each their own, then reveal', () => {
  let server, browser, cafe, org, aisha, ben;
  const open = async (ctxOpts, token, name, path = '') => {
    const page = await (await browser.newContext(ctxOpts)).newPage();
    await signIn(page, server.url, cafe.cafe_id, token, name);
    await page.goto(`${server.url}/c/${cafe.cafe_id}${path}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return page;
  };

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

  it('during private writing each phone shows only its own notes', async () => {
    const a = await apiJoin(server.url, cafe.code, 'Aisha', 'remote');
    const b = await apiJoin(server.url, cafe.code, 'Ben', 'room');
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await org.click('#phase-ideate');
    await org.click('#private-start');
    await org.waitForSelector('#private-count', WAIT);
    aisha = await open(PHONE, a.token, 'Aisha');
    ben = await open(PHONE, b.token, 'Ben');
    await aisha.waitForSelector('#private-banner', WAIT);
    await ben.waitForSelector('#private-banner', WAIT);
    await post(aisha, 'Aisha: rain tanks');
    await post(ben, 'Ben: fix the mains');
    await post(ben, 'Ben: a street challenge');
    await org.waitForSelector('#private-count:has-text("3 ideas written so far")', WAIT);
    assert.equal(await aisha.locator('#ideas .note').count(), 1);
    assert.doesNotMatch(await aisha.textContent('#ideas'), /Ben:/);
    assert.equal(await ben.locator('#ideas .note').count(), 2);
    assert.doesNotMatch(await ben.textContent('#ideas'), /Aisha:/);
    // A reload (a fresh snapshot) brings back no one else's either.
    await ben.reload();
    await ben.waitForSelector('.conn-ok', WAIT);
    await ben.waitForSelector('#ideas .note >> nth=1', WAIT);
    assert.doesNotMatch(await ben.textContent('#ideas'), /Aisha:/);
    assert.match(await aisha.textContent('#ideas .note'), /Private until the reveal/);
    clean(await audit(aisha));
    clean(await audit(org));
    await aisha.screenshot({ path: join(shots, 'phone-private-360.png') });
    await org.locator('#private-writing').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'console-private-1366.png') });
  });

  it('"Reveal" shows everyone\'s notes on every phone', async () => {
    await org.click('#reveal-ideas');
    await org.waitForSelector('#private-start', WAIT);
    await aisha.waitForSelector('#ideas .note:has-text("Ben: fix the mains")', WAIT);
    await aisha.waitForSelector('#ideas .note:has-text("Ben: a street challenge")', WAIT);
    await ben.waitForSelector('#ideas .note:has-text("Aisha: rain tanks")', WAIT);
    await aisha.waitForSelector('#private-banner', { state: 'detached', ...WAIT });
    assert.equal(await ben.locator('#ideas .badge-private').count(), 0);
    clean(await audit(ben));
  });
});
