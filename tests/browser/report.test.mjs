// The impact report (issue 13, item 4) in real Chromium: the organiser opens it from the
// console's exports in a new tab; it shows the café's title and its Arabic question in its
// own direction, the headline figures and the presence chart, passes axe with no serious
// or critical violation, needs no script (the page's policy allows none), and prints to A4
// and Letter. Screenshots (1366×768 and 360×740) go to $SCREENSHOTS or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, audit, PHONE, LAPTOP } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-report-shots');
const QUESTION = 'كيف نحمي الهوية الرقمية لسكان الجزر؟';

describe('the impact report', () => {
  let server, browser, cafe, report;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { title: 'Digital ID for the Pacific', description: QUESTION, mode: 'hybrid' });
    await apiJoin(server.url, cafe.code, 'Ana', 'room');
    await apiJoin(server.url, cafe.code, 'Ben', 'remote');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens from the console in a new tab and shows the café', async () => {
    const context = await browser.newContext(LAPTOP);
    const org = await context.newPage();
    await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele');
    await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await org.waitForSelector('.conn-ok', WAIT);
    const link = org.locator('#export-report');
    assert.equal(await link.getAttribute('target'), '_blank');
    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    report = tab;
    assert.equal(await report.title(), 'Impact report: Digital ID for the Pacific');
    assert.equal((await report.textContent('h1')).trim(), 'Digital ID for the Pacific');
    // The Arabic question keeps its own direction inside the English page.
    const q = report.locator('.question');
    assert.equal((await q.textContent()).trim(), QUESTION);
    assert.equal(await q.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    const figure = async (what) =>
      (await report.locator('.figures li', { hasText: what }).locator('strong').textContent()).trim();
    assert.equal(await figure('people took part'), '3');
    assert.equal(await figure('in the room'), '2');
    assert.equal(await figure('remote'), '1');
    assert.equal(await report.locator('figure svg polyline').count(), 2);
    const results = report.locator('section').filter({ has: report.locator('h2', { hasText: 'Results' }) });
    assert.match(await results.textContent(), /No vote was held/);
    assert.equal(await report.locator('script').count(), 0);
    await report.screenshot({ path: join(shots, 'report-1366.png'), fullPage: true });
  });

  it('has no serious or critical accessibility violations', async () => {
    assert.deepEqual(await audit(report), []);
  });

  it('fits a phone and prints to A4 and Letter', async () => {
    const phone = await (await browser.newContext(PHONE)).newPage();
    await phone.goto(report.url());
    await phone.waitForSelector('h1', WAIT);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the page itself does not scroll sideways (${width} px)`);
    await phone.screenshot({ path: join(shots, 'report-360.png'), fullPage: true });
    for (const format of ['A4', 'Letter']) {
      const pdf = (await report.pdf({ format, printBackground: true })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page\b/g)?.length ?? 0;
      assert.ok(pages >= 1 && pages <= 2, `${format}: ${pages} pages`);
    }
  });
});
