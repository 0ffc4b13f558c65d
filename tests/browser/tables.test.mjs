// Issue 11, items 7–9, in real Chromium against the real server: after a shuffle the
// console shows who sits at which table (and the host, and the paper headcount as such);
// the facilitator moves one person and that phone's board follows; a host is told on their
// board and reaches the scribe view; scanning the join link again on the same phone resumes
// the same person (both the server-rendered page and the app), and "Not you?" makes a new
// one; removing a person and closing the café ask first; the called person sees the floor
// banner (and the phone is asked to vibrate). axe on the console and the board.
// Screenshots go to $SCREENSHOTS (docs/screenshots when set so) or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-tables-shots');


describe('tables, re-scan, confirmations and the floor', () => {
  let server, browser, cafe, org;
  const people = {};
  const phones = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { title: 'Harbour futures', organiser_name: 'Mele', description: 'What should the harbour become by 2035?' });
    for (const [name, loc] of [['Aisha', 'room'], ['Ben', 'room'], ['Chen', 'room'], ['Dara', 'room'], ['Eli', 'remote'], ['Fetu', 'remote']]) {
      people[name] = await apiJoin(server.url, cafe.code, name, loc);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const phone = async (name, options = PHONE) => {
    const ctx = await browser.newContext(options);
    // Records vibration requests: headless Chromium has navigator.vibrate but no motor.
    await ctx.addInitScript(() => {
      window.__buzz = [];
      if ('vibrate' in navigator) navigator.vibrate = (p) => { window.__buzz.push(p); return true; };
    });
    const page = await ctx.newPage();
    await signIn(page, server.url, cafe.cafe_id, people[name].token, name);
    await page.goto(`${server.url}/c/${cafe.cafe_id}`);
    await page.waitForSelector('.conn-ok', WAIT);
    phones[name] = page;
    return page;
  };

  /** The table row of the console's tables card named `name`. */
  const row = (name) => org.locator('#tables-title ~ table tbody tr', { has: org.locator('td:first-child', { hasText: name }) });
  const seatedAt = async (name) => (await row(name).locator('.seat-name').allTextContents()).sort();

  it('the console shows the tables, the host and, after a shuffle, who sits where', async () => {
    org = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await org.waitForSelector('.conn-ok', WAIT);
    for (const [name, kind] of [['Table 1', 'in_room'], ['Table 2', 'in_room'], ['Online', 'virtual']]) {
      await org.fill('#table-name', name);
      await org.selectOption('#table-kind', kind);
      await org.click('#create-table');
      await row(name).waitFor(WAIT);
    }
    // The header says what the number is: a paper headcount, not the people seated.
    const heads = await org.locator('#tables-title ~ table thead th').allTextContents();
    assert.deepEqual(heads, ['Table name', 'Host', 'Sitting here', 'Paper headcount']);
    await org.selectOption('select[aria-label="Host of Table 1"]', { label: 'Aisha' });
    await row('Table 1').locator('.seat-host', { hasText: 'Aisha' }).waitFor(WAIT);

    await org.fill('#round-prompt', 'What would you keep?');
    await org.click('#start-round');
    await row('Table 2').locator('.seat').first().waitFor(WAIT);
    const t1 = await seatedAt('Table 1');
    const t2 = await seatedAt('Table 2');
    const online = await seatedAt('Online');
    // Everyone sits exactly once; the host at their table; remote people at the virtual one.
    assert.deepEqual([...t1, ...t2].sort(), ['Aisha', 'Ben', 'Chen', 'Dara']);
    assert.ok(t1.includes('Aisha'));
    assert.deepEqual(online, ['Eli', 'Fetu']);
    assert.match(await row('Online').textContent(), /Remote/);
    assert.match(await row('Table 1').locator('.seat-host').textContent(), /Aisha.*Host/);
    // The paper headcount is still 0 and labelled as such; the people are listed beside it.
    assert.equal((await row('Table 2').locator('td.num').textContent()).trim(), '0');
    await org.locator('.card', { has: org.locator('#tables-title') }).screenshot({ path: join(shots, 'console-tables-1366.png') });
  });

  it('the facilitator moves one person and their phone shows the new table', async () => {
    const t1 = await seatedAt('Table 1');
    const ben = await phone('Ben');
    const from = t1.includes('Ben') ? 'Table 1' : 'Table 2';
    const to = from === 'Table 1' ? 'Table 2' : 'Table 1';
    assert.match(await ben.textContent('.prompt-table'), new RegExp(`Your table: ${from}`));
    // Only what the rule allows: no host (Aisha), nobody who could only go where they sit
    // (the remote two have one virtual table); for Ben only the other in-room table.
    const who = await org.locator('#move-who option').allTextContents();
    assert.ok(!who.some((w) => w.startsWith('Aisha')), `hosts are not offered: ${who}`);
    assert.ok(!who.some((w) => w.startsWith('Eli') || w.startsWith('Fetu')), `no table to move to: ${who}`);
    await org.selectOption('#move-who', { label: `Ben (${from})` });
    const targets = await org.locator('#move-to option').allTextContents();
    assert.deepEqual(targets.slice(1), [to]);
    await org.selectOption('#move-to', { label: to });
    await org.click('#move-person');
    await row(to).locator('.seat-name', { hasText: 'Ben' }).waitFor(WAIT);
    assert.ok(!(await seatedAt(from)).includes('Ben'));
    await ben.waitForFunction((t) => document.querySelector('.prompt-table')?.textContent.includes(t), `Your table: ${to}`, WAIT);
  });

  it('the host is told on their board and reaches the scribe view for their table', async () => {
    // Notes are taken while ideating.
    await org.click('#phase-ideate');
    await org.waitForSelector('#phase-ideate[aria-pressed="true"]', WAIT);
    const aisha = await phone('Aisha');
    await aisha.waitForSelector('#host-banner', WAIT);
    assert.equal((await aisha.textContent('#host-banner-title')).trim(), 'You host Table 1');
    assert.equal(await aisha.getAttribute('#scribe-link', 'href'), `/c/${cafe.cafe_id}/scribe`);
    await aisha.screenshot({ path: join(shots, 'board-host-banner-360.png') });
    // Nobody else gets it.
    assert.equal(await phones.Ben.locator('#host-banner').count(), 0);
    await aisha.click('#scribe-link');
    await aisha.waitForURL(`**/c/${cafe.cafe_id}/scribe`, WAIT);
    await aisha.waitForSelector('#scribe-input', WAIT);
    assert.match(await aisha.textContent('.prompt-table'), /Your table: Table 1/);
    await aisha.fill('#scribe-input', 'A fish market on the quay');
    await aisha.press('#scribe-input', 'Enter');
    await aisha.waitForFunction(() => document.querySelector('#scribe-ideas')?.textContent.includes('A fish market'), null, WAIT);
    await aisha.goBack();
    await aisha.waitForSelector('#host-banner', WAIT);
  });

  it('calling the next hand tells the called phone: banner, vibration, live region; dismissible', async () => {
    const chen = await phone('Chen');
    await chen.click('#hand');
    await org.waitForSelector('#call-next', WAIT);
    assert.equal(await chen.locator('#floor-banner').count(), 0);
    await org.click('#call-next');
    await chen.waitForSelector('#floor-banner', WAIT);
    assert.equal((await chen.textContent('#floor-title')).trim(), 'You have the floor');
    // Announced through the board's one polite live region (issue 12: nothing else on the
    // board talks, so nothing needs to interrupt).
    await chen.waitForFunction(() => /You have the floor/.test(document.querySelector('#announcer[aria-live="polite"]')?.textContent ?? ''), null, WAIT);
    assert.equal(await chen.locator('[aria-live="assertive"]').count(), 0, 'no assertive region');
    assert.ok((await chen.evaluate(() => window.__buzz.length)) >= 1, 'the phone was asked to vibrate');
    assert.equal(await phones.Ben.locator('#floor-banner').count(), 0, 'only the called person');
    await chen.screenshot({ path: join(shots, 'board-floor-banner-360.png') });
    const violations = await audit(chen);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
    await chen.click('#floor-dismiss');
    await chen.waitForSelector('#floor-banner', { state: 'detached', ...WAIT });
  });

  it('removing a person asks first; cancel keeps them, yes removes them', async () => {
    const btn = org.locator('#people .person', { hasText: 'Dara' }).locator('button[id^="remove-"]');
    await btn.click();
    const dialog = org.locator('#people [role="alertdialog"]');
    await dialog.waitFor(WAIT);
    assert.match(await dialog.textContent(), /Remove Dara from the café\?/);
    // Focus moved to the answer.
    assert.match(await org.evaluate(() => document.activeElement?.id ?? ''), /^remove-\d+-yes$/);
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await org.waitForTimeout(300);
    assert.equal(await org.locator('#people .person', { hasText: 'Dara' }).count(), 1, 'cancel removes nobody');
    await btn.click();
    await org.locator('#people [role="alertdialog"] .btn-danger').click();
    await org.locator('#people .person', { hasText: 'Dara' }).waitFor({ state: 'detached', ...WAIT });
  });

  it('closing the café asks first', async () => {
    await org.click('#phase-closed');
    await org.waitForSelector('#phase-closed-yes', WAIT);
    assert.match(await org.textContent('.phase-steps [role="alertdialog"]'), /Close the café for everyone\?/);
    await org.locator('.card', { has: org.locator('#phase-title') }).screenshot({ path: join(shots, 'console-close-confirm-1366.png') });
    await org.click('#phase-closed-no');
    await org.waitForSelector('#phase-closed', WAIT);
    assert.equal(await org.getAttribute('#phase-ideate', 'aria-pressed'), 'true', 'still ideating');
    const violations = await audit(org);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });

  /** How many people named `name` the console lists. */
  const inConsole = async (name) => (await org.locator('#people .person-name').allTextContents()).filter((n) => n === name).length;

  it('re-scanning the join link on the same phone resumes the same person (server-rendered page)', async () => {
    // No service worker: it would serve the cached WebAssembly past the route below.
    const ctx = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
    const page = await ctx.newPage();
    // The WebAssembly held back: the server-rendered page alone must know the phone.
    await page.route('**/*.wasm', (r) => r.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.fill('#prejoin-name', 'Grace');
    await page.click('#prejoin-join');
    await page.waitForURL(`**/c/${cafe.cafe_id}`, WAIT);
    await org.locator('#people .person-name', { hasText: 'Grace' }).waitFor(WAIT);

    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-back:not([hidden])', WAIT);
    assert.equal((await page.textContent('#prejoin-back-title')).trim(), 'Welcome back, Grace');
    assert.ok(!(await page.isVisible('#prejoin-form')), 'no join form');
    await page.screenshot({ path: join(shots, 'join-welcome-back-360.png') });
    await page.click('#prejoin-continue');
    await page.waitForURL(`**/c/${cafe.cafe_id}`, WAIT);
    // The app arrives and opens the board as Grace.
    await page.unroute('**/*.wasm');
    await page.reload();
    await page.waitForSelector('.conn-ok', WAIT);
    assert.match(await page.textContent('.topbar'), /Grace/);
    assert.equal(await inConsole('Grace'), 1, 'no second Grace');

    // "Not you?": forgets Grace on this phone and joins someone new.
    await page.route('**/*.wasm', (r) => r.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.click('#prejoin-not-you');
    await page.waitForSelector('#prejoin-form:not([hidden])', WAIT);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), `cafe.creds.${cafe.cafe_id}`), null);
    await page.fill('#prejoin-name', 'Hemi');
    await page.click('#prejoin-join');
    await page.waitForURL(`**/c/${cafe.cafe_id}`, WAIT);
    await org.locator('#people .person-name', { hasText: 'Hemi' }).waitFor(WAIT);
    assert.equal(await inConsole('Grace'), 1);
    assert.equal(await inConsole('Hemi'), 1);
    await ctx.close();
  });

  it('re-scanning with the app loaded resumes too; "Not you?" shows the app\'s join form', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/j/${cafe.code}`);
    // Whichever form is up (the server's, or the app's once it took over).
    await page.waitForSelector('#prejoin-name, #name', WAIT);
    await page.waitForSelector('#prejoin', { state: 'detached', ...WAIT });
    await page.fill('#name', 'Ioana');
    await page.click('#join');
    await page.waitForSelector('.conn-ok', WAIT);
    await org.locator('#people .person-name', { hasText: 'Ioana' }).waitFor(WAIT);

    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin', { state: 'detached', ...WAIT });
    await page.waitForSelector('#welcome-back', WAIT);
    assert.equal((await page.textContent('#welcome-title')).trim(), 'Welcome back, Ioana');
    const violations = await audit(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
    await page.click('#continue');
    await page.waitForSelector('.conn-ok', WAIT);
    assert.match(await page.textContent('.topbar'), /Ioana/);
    assert.equal(await inConsole('Ioana'), 1, 'no second Ioana');

    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#welcome-back', WAIT);
    await page.click('#not-you');
    await page.waitForSelector('#name', WAIT);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), `cafe.creds.${cafe.cafe_id}`), null);
    await ctx.close();
  });

  it('Arabic: the console tables card and the welcome back read right to left', async () => {
    const ctx = await browser.newContext({ ...PHONE, serviceWorkers: 'block', locale: 'ar', extraHTTPHeaders: { 'Accept-Language': 'ar' } });
    const page = await ctx.newPage();
    await signIn(page, server.url, cafe.cafe_id, people.Eli.token, 'Eli');
    await page.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await page.route('**/*.wasm', (r) => r.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-back:not([hidden])', WAIT);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.match(await page.textContent('#prejoin-back-title'), /مرحبًا بعودتك/);
    await page.screenshot({ path: join(shots, 'join-welcome-back-ar-360.png') });
    await ctx.close();

    const ar = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(ar, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele');
    await ar.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await ar.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await ar.waitForSelector('.conn-ok', WAIT);
    await ar.waitForFunction(() => document.documentElement.dir === 'rtl', null, WAIT);
    await ar.waitForSelector('.seat', WAIT);
    await ar.locator('.card', { has: ar.locator('#tables-title') }).screenshot({ path: join(shots, 'console-tables-ar-1366.png') });
  });
});
