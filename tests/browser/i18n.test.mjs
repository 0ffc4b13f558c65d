// Languages and directions (issue 12, items 3–5) in real Chromium: an Arabic phone next to
// an English phone and an English projector, with an English and an Arabic note on the
// same wall. Each note keeps its own direction whatever the page's (an English question
// in the Arabic UI still ends in "?", an Arabic note is right-aligned in English). Counts
// take their language's plural form ("1 idea", "2 ideas"; Arabic's "فكرة واحدة",
// "فكرتان", "3 أفكار"). The language picker stays on a 360 px phone after joining and the
// header keeps to two lines when the timer ends. Notes written offline say they wait, are
// counted, and do not move when they land. A café's language is the default of those who
// join it, unless they chose one. axe finds nothing serious during a vote, and the dots on
// each ballot item are words for a screen reader. Screenshots go to $SCREENSHOTS or the
// temp dir (the committed ones are in docs/screenshots).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, PHONE, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-i18n-shots');
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };
const EN_NOTE = 'What if the cable breaks?';
const AR_NOTE = 'ماذا لو انقطع الكابل؟ نحتاج خطة بديلة';

// Facilitator commands over the café's WebSocket from a page on the server's origin (the
// console is not what these tests are about). Resolves once every command is answered.
async function viaWs(page, token, commands) {
  return page.evaluate(async ([token, commands]) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
    const id = Math.random().toString(36).slice(2, 10);
    return new Promise((ok, fail) => {
      const out = { acks: 0, rejects: [] };
      let sent = 0;
      const next = (plenary) => {
        const c = JSON.parse(JSON.stringify(commands[sent]).replaceAll('"$plenary"', String(plenary)));
        ws.send(JSON.stringify({ type: 'command', id: `${id}-${sent}`, command: c }));
        sent += 1;
      };
      let plenary;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token }));
      ws.onerror = () => fail(new Error('socket error'));
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        if (f.type === 'snapshot') {
          plenary = f.state.plenary;
          if (!commands.length) { ws.close(); ok(out); } else next(plenary);
        } else if (f.type === 'ack' || f.type === 'reject') {
          if (f.type === 'ack') out.acks += 1; else out.rejects.push(f);
          if (sent < commands.length) next(plenary); else { ws.close(); ok(out); }
        }
      };
    });
  }, [token, commands]);
}

// The direction the browser computed for a note's text, and whether its first line starts
// at the element's start edge (left in LTR, right in RTL).
async function noteLayout(page, text) {
  const note = page.locator('.note-text', { hasText: text }).first();
  await note.waitFor(WAIT);
  return note.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    // The first line's extent: the union of its pieces (a bidi line has several runs).
    const rects = [...range.getClientRects()];
    const top = Math.min(...rects.map((r) => r.top));
    const first = rects.filter((r) => Math.abs(r.top - top) < 4);
    const line = { left: Math.min(...first.map((r) => r.left)), right: Math.max(...first.map((r) => r.right)) };
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
      dir: el.getAttribute('dir'),
      direction: style.direction,
      page: document.documentElement.dir,
      atLeft: Math.abs(line.left - box.left) < 2,
      atRight: Math.abs(box.right - line.right) < 2,
      line: [line.left, line.right],
      box: [box.left, box.right],
      align: style.textAlign,
    };
  });
}

describe('every note keeps its own direction; counts and words follow the language', () => {
  let server, browser, cafe, org, ana, leila, projector, anaCtx;

  const phone = async (token, name, lang) => {
    const ctx = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await signIn(page, server.url, cafe.cafe_id, token, name);
    if (lang) await page.evaluate((l) => localStorage.setItem('cafe.lang', l), lang);
    await page.goto(`${server.url}/c/${cafe.cafe_id}`);
    await page.waitForSelector('.conn-ok', WAIT);
    return { ctx, page };
  };
  const post = async (page, text) => {
    await page.fill('#idea-input', text);
    await page.click('#post-idea');
    await page.locator('.note:not(.note-pending) .note-text', { hasText: text }).first().waitFor(WAIT);
  };
  const count = (page) => page.textContent('#idea-count');
  const org_ = (commands) => viaWs(org, cafe.organiser_token, commands);

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { description: 'How do we keep the island connected when the cable breaks?', language: 'en' });
    org = await (await browser.newContext()).newPage();
    await org.goto(`${server.url}/404-blank`);
    const a = await apiJoin(server.url, cafe.code, 'Ana', 'room');
    const l = await apiJoin(server.url, cafe.code, 'ليلى', 'remote');
    ({ ctx: anaCtx, page: ana } = await phone(a.token, 'Ana'));
    ({ page: leila } = await phone(l.token, 'ليلى', 'ar'));
    projector = await (await browser.newContext(PROJECTOR)).newPage();
    await projector.goto(`${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}`);
    await projector.waitForSelector('#projector', WAIT);
    const r = await org_([{ type: 'set_phase', phase: 'ideate' }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    for (const page of [ana, leila]) await page.waitForSelector('#board[data-phase="ideate"]', WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('counts say "1 idea", "2 ideas" in English and the right Arabic form', async () => {
    await leila.waitForSelector('html[lang="ar"][dir="rtl"]', WAIT);
    await post(ana, EN_NOTE);
    await ana.waitForFunction(() => document.querySelector('#idea-count')?.textContent === '1 idea', null, WAIT);
    await leila.waitForFunction(() => document.querySelector('#idea-count')?.textContent === 'فكرة واحدة', null, WAIT);
    await post(leila, AR_NOTE);
    await ana.waitForFunction(() => document.querySelector('#idea-count')?.textContent === '2 ideas', null, WAIT);
    await leila.waitForFunction(() => document.querySelector('#idea-count')?.textContent === 'فكرتان', null, WAIT);
    await post(ana, 'Solar radio relays on the hills');
    await leila.waitForFunction(() => document.querySelector('#idea-count')?.textContent === '3 أفكار', null, WAIT);
    assert.equal(await count(ana), '3 ideas');
  });

  it('an English note reads left to right in Arabic, an Arabic one right to left in English', async () => {
    const enInAr = await noteLayout(leila, EN_NOTE);
    assert.deepEqual([enInAr.page, enInAr.dir, enInAr.direction], ['rtl', 'auto', 'ltr']);
    assert.ok(enInAr.atLeft, 'the English note starts at the left in the Arabic UI');
    const arInEn = await noteLayout(ana, AR_NOTE);
    assert.deepEqual([arInEn.page, arInEn.dir, arInEn.direction], ['ltr', 'auto', 'rtl']);
    assert.ok(arInEn.atRight, 'the Arabic note starts at the right in the English UI');
    const arOnProjector = await noteLayout(projector, AR_NOTE);
    assert.deepEqual([arOnProjector.page, arOnProjector.direction], ['ltr', 'rtl']);
    assert.ok(arOnProjector.atRight, JSON.stringify(arOnProjector));
    assert.equal((await noteLayout(projector, EN_NOTE)).direction, 'ltr');
    // The café's question, the title and my name in the header isolate their direction too.
    assert.equal(await leila.locator('.topbar h1 bdi').count(), 1);
    assert.equal(await leila.locator('.topbar .subtitle bdi').count(), 1);
    await leila.screenshot({ path: join(shots, 'phone-ar-mixed-360.png'), fullPage: true });
    await projector.screenshot({ path: join(shots, 'projector-en-mixed-1920.png') });
  });

  it('the language picker is on the phone after joining, and the header keeps to two lines when time is up', async () => {
    const picker = ana.locator('#lang');
    assert.ok(await picker.isVisible(), 'the picker shows on a 360 px phone');
    const box = await picker.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `the picker fits: ${JSON.stringify(box)}`);
    const r = await org_([{ type: 'start_timer', duration_secs: 5 }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    for (const page of [ana, leila]) {
      await page.waitForSelector('.topbar .timer-ended', { timeout: 20000 });
      const rows = await page.evaluate(() => {
        const tops = ['.phase-pill', '.timer', '.conn'].map((s) => Math.round(document.querySelector(`.topbar ${s}`).getBoundingClientRect().top));
        const side = document.querySelector('.topbar-side').getBoundingClientRect();
        return { tops, height: side.height, width: document.documentElement.scrollWidth };
      });
      const [pill, timer, conn] = rows.tops;
      assert.ok(Math.abs(pill - timer) < 12 && Math.abs(timer - conn) < 12, `one line: ${JSON.stringify(rows)}`);
      assert.ok(rows.width <= 360, `no sideways scrolling: ${rows.width}`);
    }
    for (const page of [ana, leila]) await page.evaluate(() => window.scrollTo(0, 0));
    await leila.screenshot({ path: join(shots, 'phone-ar-timer-ended-360.png'), clip: { x: 0, y: 0, width: 360, height: 300 } });
    await ana.screenshot({ path: join(shots, 'phone-en-timer-ended-360.png'), clip: { x: 0, y: 0, width: 360, height: 300 } });
    // Switching on the phone works and is remembered.
    await ana.selectOption('#lang', 'fr');
    await ana.waitForSelector('html[lang="fr"]', WAIT);
    await ana.waitForFunction(() => document.querySelector('#idea-count')?.textContent === '3 idées', null, WAIT);
    await ana.selectOption('#lang', 'en');
    await ana.waitForSelector('html[lang="en"]', WAIT);
  });

  it('notes written offline wait, count, and keep their place when they land', async () => {
    await anaCtx.setOffline(true);
    await ana.waitForSelector('.conn-off', WAIT);
    for (const text of ['Offline one: mesh wifi', 'Offline two: ham radio club']) {
      await ana.fill('#idea-input', text);
      await ana.click('#post-idea');
      await ana.waitForSelector(`.note-pending:has-text("${text}")`, WAIT);
    }
    const badge = await ana.textContent('.note-pending .badge-pending');
    assert.match(badge, /Waiting to send/);
    assert.doesNotMatch(badge, /Sending/);
    assert.equal(await count(ana), '5 ideas', 'my two waiting notes are counted');
    const order = () => ana.$$eval('#ideas .note-text', (els) => els.map((e) => e.textContent));
    const before = await order();
    assert.deepEqual(before.slice(0, 2), ['Offline two: ham radio club', 'Offline one: mesh wifi'], 'newest first, like the wall');
    await anaCtx.setOffline(false);
    await ana.waitForSelector('.conn-ok', WAIT);
    await ana.waitForSelector('.note-pending', { state: 'detached', ...WAIT });
    assert.deepEqual(await order(), before, 'nothing moved when they landed');
    assert.equal(await count(ana), '5 ideas');
    await leila.waitForFunction(() => document.querySelector('#idea-count')?.textContent === '5 أفكار', null, WAIT);
  });

  it('one polite live region says what matters; the wall is not live', async () => {
    assert.equal(await ana.locator('#ideas[aria-live]').count(), 0, 'the wall is not a live region');
    const live = await ana.$$eval('[aria-live]', (els) => els.map((e) => e.id || e.className));
    assert.deepEqual(live.filter((x) => !/conn/.test(x)), ['announcer']);
    await post(ana, 'Satellite phones at the clinic');
    await ana.waitForFunction(() => /Your note is on the board/.test(document.querySelector('#announcer')?.textContent ?? ''), null, WAIT);
  });

  it('a vote has a name, its dots are words for a screen reader, and axe finds nothing serious', async () => {
    const r = await org_([{ type: 'set_phase', phase: 'vote' }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    for (const page of [ana, leila]) await page.waitForSelector('#vote .ballot-item', WAIT);
    await ana.waitForFunction(() => /Now: Vote/.test(document.querySelector('#announcer')?.textContent ?? ''), null, WAIT);
    assert.equal((await ana.textContent('#vote .vote-name')).trim(), 'Vote on Plenary');
    assert.equal((await leila.textContent('#vote .vote-name')).trim(), 'التصويت على الجلسة العامة');
    await ana.locator('.ballot-item', { hasText: AR_NOTE }).locator('.cast-dot').click();
    const item = ana.locator('.ballot-item', { hasText: AR_NOTE });
    await item.locator('.dot-on').first().waitFor(WAIT);
    assert.equal((await item.locator('.ballot-dots .sr-only').textContent()).trim(), 'Your dots: 1');
    assert.equal(await ana.locator('.ballot-dots[aria-label]').count(), 0);
    assert.match(await ana.textContent('#dots-left'), /4 dots left/);
    for (const [page, why] of [[ana, 'English phone'], [leila, 'Arabic phone']]) {
      const bad = await audit(page);
      assert.deepEqual(bad, [], `axe during a vote (${why}): ${JSON.stringify(bad, null, 2)}`);
    }
    const ballotLabel = await leila.locator('.ballot-label', { hasText: EN_NOTE }).evaluate((e) => getComputedStyle(e).direction);
    assert.equal(ballotLabel, 'ltr');
    await leila.screenshot({ path: join(shots, 'phone-ar-vote-360.png') });
  });

  it('results line up however wide the counts; the console names the vote and keeps Remove on its row', async () => {
    // Spread dots so counts read "1 dot" and "4 dots": the bars must still share one track.
    await leila.locator('.ballot-item', { hasText: EN_NOTE }).locator('.cast-dot').click();
    for (let i = 0; i < 3; i += 1) {
      await ana.locator('.ballot-item', { hasText: 'Solar radio' }).locator('.cast-dot').click();
      await ana.waitForFunction((n) => document.querySelector('#dots-left')?.textContent.includes(`${n} dot`), 3 - i, WAIT);
    }
    const r = await org_([{ type: 'set_phase', phase: 'results' }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    await ana.waitForSelector('#results .result-row', WAIT);
    const tracks = await ana.$$eval('#results .result-bar-track', (els) => els.map((e) => {
      const b = e.getBoundingClientRect();
      return [Math.round(b.left), Math.round(b.right)];
    }));
    assert.ok(tracks.length >= 3, JSON.stringify(tracks));
    assert.ok(tracks.every(([l, rt]) => l === tracks[0][0] && rt === tracks[0][1]), `every bar on one track: ${JSON.stringify(tracks)}`);
    const counts = await ana.$$eval('#results .result-dots', (els) => els.map((e) => e.textContent));
    assert.ok(counts.includes('3 dots') && counts.includes('1 dot'), JSON.stringify(counts));
    await ana.locator('#results').screenshot({ path: join(shots, 'phone-en-results-360.png') });
    await leila.locator('#results').screenshot({ path: join(shots, 'phone-ar-results-360.png') });

    const consolePage = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(consolePage, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await consolePage.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await consolePage.waitForSelector('.person-row', WAIT);
    assert.match(await consolePage.textContent('#votes-title + .vote-block .vote-name'), /Vote on Plenary/);
    const rows = await consolePage.$$eval('.person-row', (els) => els.map((e) => {
      const name = e.querySelector('.person-name').getBoundingClientRect();
      const btn = e.querySelector('button[id^="remove-"]')?.getBoundingClientRect();
      return { name: e.querySelector('.person-name').textContent, nameTop: name.top, btnTop: btn?.top, btnBottom: btn?.bottom, rowBottom: e.getBoundingClientRect().bottom };
    }));
    for (const row of rows.filter((x) => x.btnTop !== undefined)) {
      assert.ok(row.btnTop < row.nameTop + 12, `Remove on the name's line: ${JSON.stringify(row)}`);
    }
    await consolePage.locator('.card', { has: consolePage.locator('#people-title') }).screenshot({ path: join(shots, 'console-people-1366.png') });
    const bad = await audit(consolePage);
    assert.deepEqual(bad, [], `axe on the console: ${JSON.stringify(bad, null, 2)}`);
  });
});

describe('the café’s language is the default of those who join it', () => {
  let server, browser, cafe;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    cafe = await apiCreate(server.url, { title: 'Café des îles', language: 'fr' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a phone set to English joins a French café in French', async () => {
    const ctx = await browser.newContext({ ...PHONE, locale: 'en-US', serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/j/${cafe.code}`);
    await page.waitForSelector('html[lang="fr"] #name', WAIT);
    await page.fill('#name', 'Tomás');
    await page.click('#join');
    await page.waitForSelector('#board', WAIT);
    await page.waitForSelector('html[lang="fr"]', WAIT);
    assert.match(await page.textContent('#phase-now'), /Bienvenue/);
    assert.ok(await page.locator('#lang').isVisible());
    await ctx.close();
  });

  it('one who chose a language keeps it', async () => {
    const ctx = await browser.newContext({ ...PHONE, locale: 'en-US', serviceWorkers: 'block' });
    const page = await ctx.newPage();
    const j = await apiJoin(server.url, cafe.code, 'Iva', 'room');
    await signIn(page, server.url, cafe.cafe_id, j.token, 'Iva');
    await page.evaluate(() => localStorage.setItem('cafe.lang', 'es'));
    await page.goto(`${server.url}/c/${cafe.cafe_id}`);
    await page.waitForSelector('#board', WAIT);
    await page.waitForSelector('html[lang="es"]', WAIT);
    // Give the café's language every chance to (wrongly) take over.
    await page.waitForSelector('.conn-ok', WAIT);
    assert.equal(await page.getAttribute('html', 'lang'), 'es');
    await ctx.close();
  });
});
