// Actions (issue 12, item 6) in real Chromium: after the results, the facilitator turns the
// top result into an action in the console's Actions card, gives it an owner and a due date
// and sets its status; the owner's phone shows it ("Yours") and, once the café is closed,
// the thank-you with what happens next, where the owner marks it done and the console sees
// it. The projector shows the actions beside the results. Also the opt-in timer cue: a phone
// that turned it on notices the end of the timer; and the auto-advance setting saves. axe audits the console, the phone's closed
// view and the projector. Screenshots (console 1366×768, phone 360×740, projector 1920×1080)
// go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-actions-shots');
const IDEAS = ['Rain tanks on every school roof', 'A water-saving street challenge'];

describe('actions: the top results become actions with an owner, a due date and a status', () => {
  let server, browser, cafe, org, ana, anaToken, projector;

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
    await signIn(page, server.url, cafe.cafe_id, token, name, name === 'Mele' ? cafe.projector_token : undefined);
    if (lang) await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
    await page.goto(`${server.url}/c/${cafe.cafe_id}${path}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return page;
  };

  it('a phone that turns the timer cue on notices the end of the timer', async () => {
    const a = await apiJoin(server.url, cafe.code, 'Ana', 'room');
    anaToken = a.token;
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console');
    await org.click('#phase-ideate');
    ana = await open(PHONE, a.token, 'Ana');
    await ana.waitForSelector('#timer-cue[aria-pressed="false"]', WAIT);
    await ana.click('#timer-cue');
    await ana.waitForSelector('#timer-cue[aria-pressed="true"]', WAIT);
    assert.equal(await ana.evaluate(() => localStorage.getItem('cafe.timer_cue')), 'on', 'kept on this device');
    // The shortest timer the console offers (0.1 min): its end rings once.
    await org.fill('#timer-minutes', '0.1');
    await org.click('#timer-start');
    await ana.waitForSelector('.timer-running', WAIT);
    await ana.waitForSelector('#timer-cue[data-cues="1"]', WAIT);
    await ana.waitForSelector('.timer-ended', WAIT);
  });

  it('ideas, a vote and its results', async () => {
    for (const text of IDEAS) {
      await ana.fill('#idea-input', text);
      await ana.click('#post-idea');
      await ana.waitForSelector(`#ideas .note-text:text-is("${text}")`, WAIT);
    }
    await org.click('#phase-vote');
    await ana.waitForSelector('#vote .cast-dot', WAIT);
    // Two dots on the first idea: it tops the results.
    const first = ana.getByRole('button', { name: `Add a dot to ${IDEAS[0]}` });
    await first.click();
    await ana.waitForSelector('#dots-left:has-text("4 dots left")', WAIT);
    await first.click();
    await ana.waitForSelector('#dots-left:has-text("3 dots left")', WAIT);
    await org.click('#phase-results');
    await ana.waitForSelector('#results .result-row', WAIT);
  });

  it('the facilitator makes an action of the top result, with owner, due date and status', async () => {
    await org.waitForSelector('#actions-card #top-results .make-action', WAIT);
    // The Actions card leads the results phase, after the phase card.
    const cards = await org.$$eval('[data-when="now"]', (els) => els.map((e) => e.dataset.card));
    assert.deepEqual(cards.slice(0, 2), ['phase', 'actions']);
    assert.match(await org.textContent('#top-results li:first-child'), new RegExp(IDEAS[0]));
    await org.click('#top-results li:first-child .make-action');
    const row = org.locator('#action-rows .action-edit').first();
    await row.waitFor(WAIT);
    assert.equal(await row.locator('input[id^="action-text-"]').inputValue(), IDEAS[0], 'prefilled with the result');
    await org.waitForSelector('#top-results li:first-child .badge:has-text("Action made")', WAIT);
    const id = await row.getAttribute('data-action');
    await org.selectOption(`#action-owner-${id}`, { label: 'Ana' });
    await org.waitForSelector(`#action-owner-${id} option:checked:text-is("Ana")`, { state: 'attached', ...WAIT });
    await org.fill(`#action-due-${id}`, '2027-03-31');
    await org.dispatchEvent(`#action-due-${id}`, 'change');
    await org.selectOption(`#action-status-${id}`, 'in_progress');
    await org.waitForSelector(`#action-rows .action-edit.action-in_progress`, WAIT);
    // A second action for someone outside the café, typed in.
    await org.fill('#new-action', 'Tell the council');
    await org.click('#add-action');
    const second = org.locator('#action-rows .action-edit').nth(1);
    await second.waitFor(WAIT);
    const id2 = await second.getAttribute('data-action');
    await org.selectOption(`#action-owner-${id2}`, 'other');
    await org.fill(`#action-owner-name-${id2}`, 'Water board');
    await org.dispatchEvent(`#action-owner-name-${id2}`, 'change');
    // Ana's phone: the action, hers, due on the date.
    const mine = ana.locator(`#actions [data-action="${id}"]`);
    await mine.waitFor(WAIT);
    await ana.waitForSelector(`#actions [data-action="${id}"] .action-due:has-text("2027-03-31")`, WAIT);
    assert.match(await mine.textContent(), /Yours/);
    await ana.waitForSelector(`#actions [data-action="${id2}"] .action-owner:text-is("Water board")`, WAIT);
    assert.equal(await ana.locator(`#actions [data-action="${id2}"] select`).count(), 0, 'not hers: no status control');
    assert.equal(await org.inputValue(`#action-due-${id}`), '2027-03-31');
    await org.locator('#actions-card').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'console-actions-1366.png') });
    assert.deepEqual(await audit(org), [], 'console with the Actions card');
  });

  it('the projector shows the actions beside the results', async () => {
    projector = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await projector.goto(`${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}&turn=600`);
    await projector.waitForSelector('#projector-actions .proj-action', WAIT);
    assert.match(await projector.textContent('#projector-actions'), /Rain tanks.*Ana.*2027-03-31.*In progress/s);
    assert.deepEqual(await audit(projector), [], 'projector with actions');
  });

  it('auto-advance is a café setting the console saves', async () => {
    await org.click('#edit-cafe');
    await org.check('#edit-auto-advance');
    await org.fill('#edit-planned-rounds', '3');
    await org.click('#edit-save');
    await org.waitForSelector('#edit-cafe-form', { state: 'detached', ...WAIT });
    await org.click('#edit-cafe');
    assert.equal(await org.isChecked('#edit-auto-advance'), true);
    assert.equal(await org.inputValue('#edit-planned-rounds'), '3');
    assert.deepEqual(await audit(org), [], 'the settings form');
    await org.click('#edit-cafe-form .btn-ghost');
  });

  it('closed: the phone thanks, shows what happens next, and the owner marks it done', async () => {
    await org.click('#phase-closed');
    await org.click('[role="alertdialog"] .btn-danger');
    await ana.waitForSelector('#closed', WAIT);
    const id = await ana.locator('#actions .action-mine').getAttribute('data-action');
    assert.match(await ana.textContent('#closed'), /Thank you/);
    assert.match(await ana.textContent('#actions'), /What happens next/);
    await ana.selectOption(`#action-status-${id}`, 'done');
    await org.waitForSelector(`#action-rows .action-edit.action-done[data-action="${id}"]`, WAIT);
    await ana.waitForSelector(`#actions .action-done[data-action="${id}"]`, WAIT);
    await ana.locator('#actions').scrollIntoViewIfNeeded();
    await ana.screenshot({ path: join(shots, 'phone-closed-actions-360.png') });
    assert.deepEqual(await audit(ana), [], 'phone closed view with actions');
    await projector.waitForSelector('#projector-thanks', WAIT);
    await projector.waitForSelector('#projector-actions .proj-action.action-done', WAIT);
    await projector.screenshot({ path: join(shots, 'projector-actions-1920.png') });
  });

  it('reads right to left in Arabic: the console’s actions and the closed phone', async () => {
    const ar = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console', 'ar');
    await ar.waitForSelector('html[dir="rtl"]', WAIT);
    await ar.waitForSelector('#action-rows .action-edit.action-done', WAIT);
    // The English action text keeps its own direction inside the Arabic page.
    assert.equal(await ar.locator('#action-rows input[id^="action-text-"]').first().getAttribute('dir'), 'auto');
    assert.deepEqual(await audit(ar), [], 'Arabic console with actions');
    await ar.locator('#actions-card').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: join(shots, 'console-actions-ar-1366.png') });
    const phone = await open(PHONE, anaToken, 'Ana', '', 'ar');
    await phone.waitForSelector('html[dir="rtl"]', WAIT);
    await phone.waitForSelector('#closed', WAIT);
    await phone.waitForSelector('#actions .action-done', WAIT);
    assert.deepEqual(await audit(phone), [], 'Arabic phone closed view with actions');
    await phone.locator('#actions').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(shots, 'phone-closed-actions-ar-360.png') });
  });
});
