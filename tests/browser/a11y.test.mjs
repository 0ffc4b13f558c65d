// axe-core audits of the main pages: no serious or critical violations on the landing page,
// the participant board, the facilitator console and the projector.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, DESKTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };


describe('accessibility (axe-core)', () => {
  let server, browser, cafe, ana;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    cafe = await apiCreate(server.url);
    ana = await apiJoin(server.url, cafe.code, 'Ana');
    // Some content on the board so cards, buttons and the vote are audited too.
    const ctx = await browser.newContext(DESKTOP);
    const page = await ctx.newPage();
    await signIn(page, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await page.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await page.click('#phase-ideate', WAIT);
    await page.fill('#fac-idea', 'Solar desalination kiosks');
    await page.press('#fac-idea', 'Enter');
    await page.waitForSelector('#console-ideas .note', WAIT);
    await ctx.close();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const pages = [
    ['landing (phone)', PHONE, null, '/', '#join'],
    ['landing in Arabic (phone)', PHONE, null, '/', '#join', 'ar'],
    ['participant board (phone)', PHONE, 'ana', (c) => `/c/${c.cafe_id}`, '#idea-input'],
    ['facilitator console (desktop)', DESKTOP, 'org', (c) => `/c/${c.cafe_id}/console`, '#phase-ideate'],
    ['projector (desktop)', DESKTOP, null, (c) => `/c/${c.cafe_id}/projector#token=${c.projector_token}`, '#projector-code'],
  ];

  it('the join link\'s server-rendered form (before the app arrives), in English and Arabic', async () => {
    for (const locale of ['en', 'ar']) {
      const ctx = await browser.newContext({ ...PHONE, locale });
      const page = await ctx.newPage();
      await page.route('**/*.wasm', (route) => route.abort());
      await page.goto(`${server.url}/j/${cafe.code}`);
      await page.waitForSelector('#prejoin-name', WAIT);
      assert.deepEqual(await audit(page), [], locale);
      await ctx.close();
    }
  });

  for (const [name, device, who, path, ready, lang] of pages) {
    it(`${name} has no serious or critical violations`, async () => {
      const ctx = await browser.newContext(device);
      const page = await ctx.newPage();
      if (who === 'ana') await signIn(page, server.url, cafe.cafe_id, ana.token, 'Ana');
      if (who === 'org') await signIn(page, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
      if (lang) {
        await page.goto(server.url);
        await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
      }
      await page.goto(server.url + (typeof path === 'function' ? path(cafe) : path));
      await page.waitForSelector(ready, WAIT);
      const bad = await audit(page);
      await ctx.close();
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
    });
  }
});
