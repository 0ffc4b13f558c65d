// The join link's server-rendered form (issue 14): with the WebAssembly held back a person
// still sees the café, types a name and joins; the app then opens the board as that same
// person (no second join); if the app arrives while the person is typing it takes over what
// was typed. No Content-Security-Policy violation anywhere.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, apiCreate, PHONE } from './harness.mjs';

const WAIT = { timeout: 15000 };

describe('the join link works before the app has arrived', () => {
  let server, browser, cafe;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    cafe = await apiCreate(server.url, { title: 'Reef <restoration> & fishing', description: 'What should the village try first?' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Join events recorded for `name`, from the organiser's export. */
  async function joinsOf(name) {
    const r = await fetch(`${server.url}/api/cafes/${cafe.cafe_id}/export.json?token=${cafe.organiser_token}`);
    assert.equal(r.status, 200);
    const doc = await r.json();
    return doc.events.filter((e) => {
      const s = JSON.stringify(e);
      return s.includes('person_joined') && s.includes(`"${name}"`);
    });
  }

  /** A phone page that records CSP violations and console errors. */
  async function phone(extra = {}) {
    const ctx = await browser.newContext({ ...PHONE, ...extra });
    const page = await ctx.newPage();
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const violations = async () => [...problems, ...((await page.evaluate(() => window.__csp ?? []).catch(() => [])))];
    return { ctx, page, violations };
  }

  it('joins with the WebAssembly blocked, then the app opens the board as the same person', async () => {
    const { ctx, page, violations } = await phone();
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-name', WAIT);
    assert.equal((await page.textContent('#prejoin-title')).trim(), 'Reef <restoration> & fishing');
    assert.ok(await page.isVisible('.prejoin-loading'), 'says the app is loading');
    // An empty name is refused by the browser's own check (`required`), like the app's form.
    assert.equal(await page.evaluate(() => document.getElementById('prejoin-form').checkValidity()), false);
    await page.fill('#prejoin-name', 'Losa');
    await page.check('#prejoin-form input[value="remote"]');
    await page.click('#prejoin-join');
    await page.waitForURL(`**/c/${cafe.cafe_id}`, WAIT);
    const creds = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), `cafe.creds.${cafe.cafe_id}`);
    assert.equal(creds.name, 'Losa');
    assert.equal(creds.code_display, cafe.code_display);
    assert.ok(creds.token);
    const joined = await joinsOf('Losa');
    assert.equal(joined.length, 1, 'the server recorded the join');
    assert.ok(JSON.stringify(joined[0]).includes('remote'), 'with the chosen place');

    // The app arrives: the board opens with the stored credentials, no second join.
    await page.unroute('**/*.wasm');
    await page.reload();
    await page.waitForSelector('.conn-ok', WAIT);
    assert.equal(await page.locator('#prejoin').count(), 0);
    assert.equal(await page.locator('#join').count(), 0, 'no join form');
    assert.equal((await joinsOf('Losa')).length, 1, 'still one join');
    assert.deepEqual(await violations(), []);
    await ctx.close();
  });

  it('the app arriving while a person types takes over the typed name and removes the form', async () => {
    const { ctx, page, violations } = await phone();
    let release;
    const gate = new Promise((ok) => { release = ok; });
    await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-name', WAIT);
    await page.fill('#prejoin-name', 'Sefa');
    release();
    await page.waitForSelector('#name', WAIT);
    assert.equal(await page.locator('#prejoin').count(), 0, 'the server-rendered form is gone');
    assert.equal(await page.inputValue('#name'), 'Sefa');
    await page.click('#join');
    await page.waitForSelector('.conn-ok', WAIT);
    assert.equal((await joinsOf('Sefa')).length, 1);
    assert.deepEqual(await violations(), []);
    await ctx.close();
  });

  it('a join refused by the server is explained in the form, in the phone\'s language', async () => {
    const { ctx, page, violations } = await phone({ locale: 'fr-FR' });
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-name', WAIT);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await page.fill('#prejoin-name', 'losa');
    await page.click('#prejoin-join');
    await page.waitForSelector('#prejoin-error:not([hidden])', WAIT);
    assert.match(await page.textContent('#prejoin-error'), /utilise déjà ce nom/);
    assert.ok(await page.isEnabled('#prejoin-join'), 'can try another name');
    assert.equal((await joinsOf('losa')).length, 0);
    assert.deepEqual(await violations(), []);
    await ctx.close();
  });

  it('Arabic phones get the form right to left', async () => {
    const { ctx, page, violations } = await phone({ locale: 'ar' });
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('#prejoin-name', WAIT);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.getAttribute('html', 'lang'), 'ar');
    const box = await page.locator('#prejoin-name').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, 'the field fits the phone');
    assert.deepEqual(await violations(), []);
    await ctx.close();
  });
});
