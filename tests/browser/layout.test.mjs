// Long words never widen a screen (issue 10, finding 8: one 500-character word made the
// scribe's row 8,101 px wide, so a phone had to scroll sideways to see anything). A table host
// scribes such a word, a participant posts another, and every screen that shows them (the
// scribe and the board on a phone, the console on a laptop, the projector) must stay as wide
// as its viewport while ideating and while grouping.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP,
} from './harness.mjs';

const WAIT = { timeout: 15000 };
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };
// The longest idea the rules accept, as one unbreakable word.
const SCRIBED = 'W'.repeat(500);
const POSTED = 'x'.repeat(499) + 'y';

/** How far the page reaches past its viewport, and the widest element doing it. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest = null;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && (!widest || r.right > widest.right)) {
        widest = { tag: el.tagName, cls: el.className, right: Math.round(r.right) };
      }
    }
    return { scroll: document.documentElement.scrollWidth, width, widest };
  });
}

async function assertFits(page, what) {
  const o = await overflow(page);
  assert.ok(
    o.scroll <= o.width && !o.widest,
    `${what}: page is ${o.scroll} px wide in a ${o.width} px viewport; widest: ${JSON.stringify(o.widest)}`,
  );
}

describe('long words wrap on every screen', () => {
  let server, browser, cafe, org, scribe, board, projector;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    cafe = await apiCreate(server.url);
    const cafeUrl = `${server.url}/c/${cafe.cafe_id}`;
    const hina = await apiJoin(server.url, cafe.code, 'Hina', 'room');
    const pita = await apiJoin(server.url, cafe.code, 'Pita', 'remote');
    const open = async (options, token, name, path, projectorToken) => {
      const page = await (await browser.newContext(options)).newPage();
      await signIn(page, server.url, cafe.cafe_id, token, name, projectorToken);
      await page.goto(`${cafeUrl}${path}`);
      return page;
    };
    org = await open(LAPTOP, cafe.organiser_token, 'Mele', '/console', cafe.projector_token);
    await org.waitForSelector('.conn-ok', WAIT);
    await org.fill('#table-name', 'Table 1');
    await org.click('#create-table');
    const hostSelect = org.locator('select[aria-label="Host of Table 1"]');
    await hostSelect.waitFor(WAIT);
    await hostSelect.selectOption({ label: 'Hina' });
    await org.click('#phase-ideate');
    scribe = await open(PHONE, hina.token, 'Hina', '/scribe');
    board = await open(PHONE, pita.token, 'Pita', '');
    // The projector opens as the console links it: its own read-only token in the fragment.
    projector = await (await browser.newContext(PROJECTOR)).newPage();
    await projector.goto(`${server.url}${await org.getAttribute('#projector-link', 'href')}`);
    await projector.waitForSelector('#projector-code', WAIT);
    await scribe.waitForSelector('#scribe-input', WAIT);
    await board.waitForSelector('#idea-input', WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const shown = (page, text) => page.locator('.note', { hasText: text }).first().waitFor(WAIT);

  it('a scribed and a posted 500-character word fit the phone, laptop and projector', async () => {
    await scribe.fill('#scribe-input', SCRIBED);
    await scribe.press('#scribe-input', 'Enter');
    await board.fill('#idea-input', POSTED);
    await board.click('#post-idea');
    await shown(scribe, SCRIBED);
    await shown(board, POSTED);
    await shown(org, POSTED);
    await shown(projector, POSTED);
    await assertFits(scribe, 'scribe, phone, ideating');
    await assertFits(board, 'board, phone, ideating');
    await assertFits(org, 'console, laptop, ideating');
    await assertFits(projector, 'projector, ideating');
  });

  it('they still fit while grouping', async () => {
    await org.click('#phase-group');
    await board.waitForSelector('.phase-group', WAIT);
    await shown(board, POSTED);
    for (const [page, what] of [[scribe, 'scribe'], [board, 'board'], [org, 'console'], [projector, 'projector']]) {
      await assertFits(page, `${what}, grouping`);
    }
  });
});
