// The facilitator's door (issue 10, finding 2) in real Chromium: the console shows whether
// the café takes new people and how many are in; closing it makes another browser's join
// page say so (from the look-up of a shared link, and from the refused join of a typed
// code); "select everyone who joined in the last N minutes" picks exactly the newcomers,
// asks for confirmation with their count, and removes them: their pages are shut out.
// Screenshots of the panel (1366×768, 360×740, Arabic) go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP } from './harness.mjs';

const WAIT = { timeout: 15000 };
const HOUR = 3600 * 1000;
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-joining-shots');

/** Moves every time inside the events back by `ms` (the stored `at`s are rewritten anyway). */
function shiftTimes(value, ms) {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, ms));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [
      k,
      (k === 'created_at' || k === 'joined_at') && typeof v === 'number' ? v - ms : shiftTimes(v, ms),
    ]));
  }
  return value;
}

describe('closing joining and removing newcomers from the console', () => {
  let server, browser, cafe, consoleUrl, org, bots;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    // A café whose first people came two hours ago: made live, exported, its times moved
    // back, imported (the import keeps the times inside events).
    const live = await apiCreate(server.url, { title: 'Harbour futures', organiser_name: 'Mele' });
    await apiJoin(server.url, live.code, 'Early Ana', 'room');
    await apiJoin(server.url, live.code, 'Early Ben', 'remote');
    const exp = await (await fetch(`${server.url}/api/cafes/${live.cafe_id}/export.json?token=${live.organiser_token}`)).json();
    exp.events = shiftTimes(exp.events, 2 * HOUR);
    const r = await fetch(`${server.url}/api/cafes/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(exp),
    });
    assert.equal(r.status, 201, await r.clone().text());
    cafe = await r.json();
    consoleUrl = `${server.url}/c/${cafe.cafe_id}/console`;
    // And now a burst of newcomers.
    bots = [];
    for (const name of ['Bot One', 'Bot Two', 'Bot Three']) {
      bots.push({ name, ...(await apiJoin(server.url, cafe.code, name, 'remote')) });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const openConsole = async (options, lang) => {
    const page = await (await browser.newContext(options)).newPage();
    await signIn(page, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    if (lang) await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
    await page.goto(consoleUrl);
    await page.waitForSelector('.conn-ok', WAIT);
    await page.waitForSelector('#joining-state', WAIT);
    return page;
  };

  it('the console shows the door open and who is in', async () => {
    org = await openConsole(LAPTOP);
    assert.match(await org.textContent('#joining-state'), /Open/);
    assert.match(await org.textContent('#people-count'), /6 people/);
    assert.match(await org.textContent('#joining-toggle'), /Close joining/);
    // The organiser is not offered for removal; everyone else is, newest first.
    const names = await org.locator('#remove-list .person-name').allTextContents();
    assert.deepEqual(names, ['Bot Three', 'Bot Two', 'Bot One', 'Early Ben', 'Early Ana']);
    await org.locator('.card', { has: org.locator('#people-title') }).screenshot({ path: join(shots, 'people-1366.png') });
    await org.locator('.card', { has: org.locator('#remove-title') }).screenshot({ path: join(shots, 'remove-1366.png') });
  });

  it('closing joining makes a second browser\'s join page say so', async () => {
    await org.click('#joining-toggle');
    await org.waitForSelector('#joining-state.badge-pending', WAIT);
    assert.match(await org.textContent('#joining-state'), /Closed/);
    assert.equal(await org.getAttribute('#joining-toggle', 'aria-pressed'), 'true');

    // A shared link: the page looks the café up and says it before a name is typed.
    const phone = await (await browser.newContext(PHONE)).newPage();
    await phone.goto(`${server.url}/j/${cafe.code}`);
    await phone.waitForSelector('#joining-closed', WAIT);
    assert.match(await phone.textContent('#joining-closed'), /not taking new people/);
    assert.ok(await phone.isDisabled('#join'));
    await phone.screenshot({ path: join(shots, 'join-closed-360.png') });

    // A typed code: the refused join says the same.
    const typed = await (await browser.newContext(PHONE)).newPage();
    await typed.goto(server.url);
    await typed.fill('#code', cafe.code);
    await typed.fill('#name', 'Mallory');
    await typed.click('#join');
    await typed.waitForSelector('#joining-closed', WAIT);
    assert.equal(new URL(typed.url()).pathname, '/', 'still on the join page');

    // Reopened, the link's page would let people in again (after a reload).
    await org.click('#joining-toggle');
    await org.waitForSelector('#joining-state.badge-ok', WAIT);
    await phone.reload();
    await phone.waitForSelector('#join', WAIT);
    await phone.waitForTimeout(500);
    assert.equal(await phone.locator('#joining-closed').count(), 0);
    await org.click('#joining-toggle');
    await org.waitForSelector('#joining-state.badge-pending', WAIT);
  });

  it('"joined in the last N minutes" removes exactly the newcomers, after confirming', async () => {
    const botPage = await (await browser.newContext(PHONE)).newPage();
    await signIn(botPage, server.url, cafe.cafe_id, bots[0].token, bots[0].name);
    await botPage.goto(`${server.url}/c/${cafe.cafe_id}`);
    await botPage.waitForSelector('.conn-ok', WAIT);

    await org.fill('#recent-minutes', '30');
    await org.click('#select-recent');
    const checked = org.locator('#remove-list .person', { has: org.locator('input:checked') }).locator('.person-name');
    assert.deepEqual((await checked.allTextContents()).sort(), ['Bot One', 'Bot Three', 'Bot Two']);
    assert.match(await org.textContent('#remove-selected'), /\(3\)/);
    await org.click('#remove-selected');
    await org.waitForSelector('#confirm-remove', WAIT);
    assert.match(await org.textContent('#confirm-remove-text'), /Remove 3 people\?/);
    await org.locator('.card', { has: org.locator('#remove-title') }).screenshot({ path: join(shots, 'remove-confirm-1366.png') });
    await org.click('#confirm-remove');

    await org.waitForFunction(() => document.querySelectorAll('#remove-list .person').length === 2, null, WAIT);
    assert.deepEqual(await org.locator('#remove-list .person-name').allTextContents(), ['Early Ben', 'Early Ana']);
    assert.match(await org.textContent('#people-count'), /3 people/);
    // The removed newcomer's page is shut out, back on the join page.
    await botPage.waitForSelector('.form-error', WAIT);
    assert.match(await botPage.textContent('.form-error'), /access to this café has ended/);
  });

  it('the panel at 360×740 and in Arabic', async () => {
    const phone = await openConsole(PHONE);
    await phone.locator('.card', { has: phone.locator('#remove-title') }).screenshot({ path: join(shots, 'remove-360.png') });
    await phone.locator('.card', { has: phone.locator('#people-title') }).screenshot({ path: join(shots, 'people-360.png') });
    const ar = await openConsole(LAPTOP, 'ar');
    await ar.waitForSelector('html[dir="rtl"][lang="ar"]', WAIT);
    await ar.click('#select-recent');
    await ar.locator('.card', { has: ar.locator('#people-title') }).screenshot({ path: join(shots, 'people-ar.png') });
    await ar.locator('.card', { has: ar.locator('#remove-title') }).screenshot({ path: join(shots, 'remove-ar.png') });
    assert.match(await ar.textContent('#joining-state'), /مغلق/);
  });
});
