// The facilitator's toolkit (issue 12, item 6), in real Chromium against the real server:
//  - ideas posted from two phones appear in the projector's word cloud, which the facilitator
//    chose in the console; the most frequent word is the largest, none is under 28 px at
//    1080p, none overlaps another, and a new idea updates the cloud live;
//  - a reaction tapped on a phone floats on the projector and is counted in the console;
//    after ten in ten seconds the phone's buttons grey out and say why, gently;
//  - axe finds nothing serious or critical on the cloud, the phone and the console.
// Screenshots go to $SCREENSHOTS (docs/screenshots when refreshing them) or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 20000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-wall-shots');
const PROJECTOR = { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' };

/** Sends commands as `token` over a real WebSocket from a page of the server's origin. */
async function send(page, token, commands) {
  return page.evaluate(async ([token, commands]) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
    const call = Math.random().toString(36).slice(2, 10);
    return new Promise((ok, fail) => {
      const rejects = [];
      let answered = 0;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token }));
      ws.onerror = () => fail(new Error('socket error'));
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        if (f.type === 'snapshot') {
          commands.forEach((c, i) => ws.send(JSON.stringify({ type: 'command', id: `${call}-${i}`, command: c })));
          if (!commands.length) { ws.close(); ok({ state: f.state, rejects }); }
        } else if (f.type === 'ack' || f.type === 'reject') {
          if (f.type === 'reject') rejects.push(f);
          answered += 1;
          if (answered === commands.length) { ws.close(); ok({ rejects }); }
        }
      };
    });
  }, [token, commands]);
}

/** The cloud's words with their size and box. */
async function cloudWords(page) {
  return page.$$eval('#projector-cloud > li', (lis) => lis.map((li) => {
    const r = li.getBoundingClientRect();
    return {
      word: li.textContent.trim(),
      count: Number(li.dataset.count),
      rank: Number(li.dataset.rank),
      dir: li.getAttribute('dir'),
      px: parseFloat(getComputedStyle(li).fontSize),
      box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
    };
  }));
}

async function post(phone, text) {
  await phone.fill('#idea-input', text);
  await phone.click('#post-idea');
  await phone.waitForFunction((t) => [...document.querySelectorAll('#ideas .note-text')].some((n) => n.textContent.trim() === t), text, WAIT);
}

describe('the word cloud and reactions', () => {
  let server, browser, cafe, driver, ana, ben, org, projector;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { title: 'Island water futures' });
    driver = await (await browser.newContext()).newPage();
    await driver.goto(`${server.url}/404-blank`);
    const r = await send(driver, cafe.organiser_token, [{ type: 'set_phase', phase: 'ideate' }]);
    assert.deepEqual(r.rejects, []);
    const phone = async (name) => {
      const joined = await apiJoin(server.url, cafe.code, name);
      const page = await (await browser.newContext(PHONE)).newPage();
      await signIn(page, server.url, cafe.cafe_id, joined.token, name);
      await page.goto(`${server.url}/c/${cafe.cafe_id}`);
      await page.waitForSelector('#idea-input', WAIT);
      return page;
    };
    ana = await phone('Ana');
    ben = await phone('Ben');
    org = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await org.waitForSelector('#projector-view-choice', WAIT);
    projector = await (await browser.newContext(PROJECTOR)).newPage();
    await projector.goto(`${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}`);
    await projector.waitForSelector('#projector[data-phase="ideate"]', WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('ideas from two phones make the word cloud the console put on the projector', async () => {
    await post(ana, 'Rainwater tanks on every school roof');
    await post(ana, 'Solar pumps for the wells');
    await post(ben, 'Rainwater gardens in the villages');
    await post(ben, 'Teach rainwater harvesting at school');
    await post(ben, 'تحلية مياه البحر بالطاقة الشمسية');
    // Chinese has no spaces: the browser's segmenter finds the words (回收, "recycling",
    // is in both notes, each written as one run of characters).
    await post(ana, '电子废物回收中心');
    await post(ben, '手机回收计划');
    // The projector shows the notes until the facilitator switches it.
    await projector.waitForSelector('#projector-ideas', WAIT);
    assert.equal(await projector.locator('#projector-cloud').count(), 0);
    await org.selectOption('#projector-view-choice', 'word_cloud');
    await projector.waitForSelector('#projector-cloud > li', WAIT);
    let words = await cloudWords(projector);
    const top = words.find((w) => w.rank === 0);
    assert.equal(top.word, 'rainwater');
    assert.equal(top.count, 3);
    assert.equal(words.find((w) => w.word === 'school').count, 2);
    for (const w of words) {
      if (w !== top) assert.ok(top.px > w.px || top.count === w.count, `${top.word} (${top.px}px) is larger than ${w.word} (${w.px}px)`);
      assert.ok(w.px >= 28, `${w.word} is ${w.px}px`);
      assert.equal(w.dir, 'auto');
      assert.ok(w.box.left >= 0 && w.box.right <= 1920 && w.box.top >= 0 && w.box.bottom <= 1080, `${w.word} is on screen`);
    }
    assert.ok(top.px >= 100, `the top word is ${top.px}px`);
    // Little words of every language are left out; Arabic words are whole words.
    for (const gone of ['the', 'on', 'for', 'at', 'in']) assert.ok(!words.some((w) => w.word === gone), gone);
    assert.ok(words.some((w) => w.word === 'الشمسية'), JSON.stringify(words.map((w) => w.word)));
    assert.equal(words.find((w) => w.word === '回收')?.count, 2, JSON.stringify(words.map((w) => w.word)));
    // No two words overlap.
    for (const a of words) {
      for (const b of words) {
        if (a === b) continue;
        const overlap = a.box.left < b.box.right - 1 && b.box.left < a.box.right - 1 && a.box.top < b.box.bottom - 1 && b.box.top < a.box.bottom - 1;
        assert.ok(!overlap, `${a.word} overlaps ${b.word}`);
      }
    }
    // Live: a third note about the sun makes "solar" grow.
    await post(ana, 'Solar stills on the beach');
    await projector.waitForFunction(() => [...document.querySelectorAll('#projector-cloud > li')].some((li) => li.textContent.trim() === 'solar' && li.dataset.count === '2'), null, WAIT);
    words = await cloudWords(projector);
    assert.equal(words.find((w) => w.rank === 0).word, 'rainwater');
    await projector.screenshot({ path: join(shots, 'projector-wordcloud-1920.png') });
    assert.deepEqual(await audit(projector), [], 'axe: projector word cloud');
  });

  it('a reaction tapped on a phone floats on the projector and is counted in the console', async () => {
    await ana.waitForSelector('#reactions button[data-reaction="party"]', WAIT);
    await ana.screenshot({ path: join(shots, 'phone-reactions-360.png') });
    assert.deepEqual(await audit(ana), [], 'axe: phone with reactions');
    await ana.click('#reactions button[data-reaction="party"]');
    await projector.waitForSelector('.proj-float[data-reaction="party"]', WAIT);
    assert.equal((await projector.textContent('.proj-float[data-reaction="party"]')).trim(), '🎉');
    await projector.screenshot({ path: join(shots, 'projector-reaction-1920.png') });
    await org.waitForSelector('#console-reactions .reaction-count[data-reaction="party"]', WAIT);
    assert.match(await org.textContent('#console-reactions .reaction-count[data-reaction="party"]'), /🎉\s*1/);
    // Ben's heart too; the console counts both kinds.
    await ben.click('#reactions button[data-reaction="heart"]');
    await org.waitForSelector('#console-reactions .reaction-count[data-reaction="heart"]', WAIT);
    assert.equal(await org.inputValue('#projector-view-choice'), 'word_cloud');
    await org.locator('[data-card="projector"] > section').screenshot({ path: join(shots, 'console-projector-reactions-1366.png') });
    assert.deepEqual(await audit(org), [], 'axe: console with reaction counts');
  });

  it('after ten reactions in ten seconds the phone waits, and says so gently', async () => {
    // Twelve quick taps (forced: a greyed button takes none). The phone's copy of the rule
    // (shared with the server) stops at ten in the window; the party above may be in it.
    for (let i = 0; i < 12; i += 1) {
      await ana.click('#reactions button[data-reaction="clap"]', { force: true });
    }
    await ana.waitForFunction(() => [...document.querySelectorAll('#reactions button')].every((b) => b.disabled), null, WAIT);
    assert.ok((await ana.textContent('#reactions .reaction-wait')).trim().length > 0, 'the phone says why');
    assert.equal(await ana.locator('.notice').count(), 0, 'no error banner');
    // Everything sent was answered; the console counts what was sent: 9 or 10, never 12.
    await ana.waitForFunction(() => !document.querySelector('.conn-pending'), null, WAIT);
    await org.waitForFunction(() => /👏\s*(9|10)$/.test(document.querySelector('#console-reactions .reaction-count[data-reaction="clap"]')?.textContent.trim() ?? ''), null, WAIT);
    await ana.screenshot({ path: join(shots, 'phone-reactions-wait-360.png') });
    // Ben is not held back.
    assert.equal(await ben.locator('#reactions button[data-reaction="clap"]:disabled').count(), 0);
  });
});
