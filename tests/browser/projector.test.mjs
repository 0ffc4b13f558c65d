// The projector fits the room and the console follows the phase (issue 11, items 5 and 6), in
// real Chromium against the real server:
//  - the projector (1920×1080) shows the plenary by default and the board the facilitator
//    picks in the console, without anyone touching the projector;
//  - a 40-note wall turns pages (the indicator changes; every note is whole on some page;
//    note text ≥ 28 px); themes show with their notes; every results row is on screen;
//  - lobby: the QR is at least 60% of the screen's height; closed: thanks, no timer;
//  - the console puts this phase's cards first, and with 300 people and 1,000 ideas shows
//    one capped page of each list with working next/prev and search, while the projector
//    pages the wall;
//  - axe finds nothing serious or critical on the projector and the console.
// Screenshots go to $SCREENSHOTS (docs/screenshots when refreshing them) or the temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, LAPTOP, audit } from './harness.mjs';

const WAIT = { timeout: 20000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-projector-shots');
// Reduced motion: the page turn is instant, so a page is read where it lands.
const PROJECTOR = { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' };
const QUESTION = 'How might our islands keep fresh water flowing through a drought?';


/**
 * Sends commands over real WebSockets from inside a page of the server's origin (Node 20 has
 * no WebSocket). Each job is `{ token, commands }`; a command's `board: '$plenary'` becomes
 * the plenary's id. Paced under the 20-per-second limit; resolves to each job's
 * `{ state, acks, rejects }`, `state` being the snapshot it started from.
 */
async function viaWs(page, jobs) {
  return page.evaluate(async (jobs) => {
    const url = `${location.origin.replace(/^http/, 'ws')}/ws`;
    // Command ids are unique per person for good: a repeated id is answered with the first
    // command's result and not run again.
    const call = Math.random().toString(36).slice(2, 10);
    const run = (job, n) => new Promise((ok, fail) => {
      const ws = new WebSocket(url);
      const out = { state: null, acks: 0, rejects: [] };
      let sent = 0;
      let timer;
      const done = () => { clearInterval(timer); ws.close(); ok(out); };
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token: job.token }));
      ws.onerror = () => fail(new Error('socket error'));
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        if (f.type === 'snapshot') {
          out.state = f.state;
          if (!job.commands.length) return done();
          const fill = (c) => JSON.parse(JSON.stringify(c).replaceAll('"$plenary"', String(f.state.plenary)));
          timer = setInterval(() => {
            if (sent >= job.commands.length) return clearInterval(timer);
            ws.send(JSON.stringify({ type: 'command', id: `${call}-${n}-${sent}`, command: fill(job.commands[sent]) }));
            sent += 1;
          }, 70);
        } else if (f.type === 'ack' || f.type === 'reject') {
          if (f.type === 'ack') out.acks += 1; else out.rejects.push(f);
          if (out.acks + out.rejects.length === job.commands.length) done();
        }
      };
    });
    return Promise.all(jobs.map(run));
  }, jobs);
}

/** The café as the organiser sees it now. */
async function stateOf(page, token) {
  return (await viaWs(page, [{ token, commands: [] }]))[0].state;
}

/** The notes wholly inside the wall's frame right now, and whether any is cut at its edge. */
async function visibleNotes(page, list) {
  return page.evaluate((list) => {
    const frame = document.querySelector(`#${list}`).parentElement.getBoundingClientRect();
    const seen = [];
    const cutWhat = [];
    let cut = 0;
    for (const li of document.querySelectorAll(`#${list} > li`)) {
      const r = li.getBoundingClientRect();
      const inside = r.left >= frame.left - 1 && r.right <= frame.right + 1 && r.top >= frame.top - 1 && r.bottom <= frame.bottom + 1;
      const outside = r.right <= frame.left + 1 || r.left >= frame.right - 1 || r.bottom <= frame.top + 1 || r.top >= frame.bottom - 1;
      if (inside) seen.push(li.textContent.trim());
      else if (!outside) { cut += 1; cutWhat.push(`${li.textContent.trim().slice(0, 20)} ${JSON.stringify(r)} in ${JSON.stringify(frame)}`); }
    }
    return { seen, cut, cutWhat, vh: innerHeight, frameBottom: frame.bottom };
  }, list);
}

const pageNo = async (page, list) => Number(await page.getAttribute(`#${list}-page`, 'data-page'));
const pagesOf = async (page, list) => Number(await page.getAttribute(`#${list}-page`, 'data-pages'));

describe('the projector fits the room; the console follows the phase', () => {
  let server, browser, cafe, org, projCtx, projector, shotPage, plenary, table;

  before(async () => {
    server = await startServer(['--join-burst', '1000']);
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { description: QUESTION });
    // A page of the server's origin to drive the WebSocket API from.
    shotPage = await (await browser.newContext()).newPage();
    await shotPage.goto(`${server.url}/404-blank`);
    const [r] = await viaWs(shotPage, [{ token: cafe.organiser_token, commands: [{ type: 'create_table', name: 'Table 1', kind: 'in_room' }] }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    const s = await stateOf(shotPage, cafe.organiser_token);
    plenary = s.plenary;
    table = Object.values(s.tables)[0];
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const projectorUrl = (turn) => `${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}${turn ? `&turn=${turn}` : ''}`;

  it('lobby: a full-screen join view whose QR fills the height', async () => {
    projCtx = await browser.newContext(PROJECTOR);
    projector = await projCtx.newPage();
    await projector.goto(projectorUrl(600));
    await projector.waitForSelector('#projector-qr', WAIT);
    await projector.waitForFunction(() => document.querySelector('#projector-qr').complete);
    const qr = await projector.evaluate(() => document.querySelector('#projector-qr').getBoundingClientRect().height / innerHeight);
    assert.ok(qr >= 0.6, `the QR is ${Math.round(qr * 100)}% of the screen's height`);
    assert.equal((await projector.textContent('#projector-code')).trim(), cafe.code_display);
    assert.match(await projector.textContent('#projector-url'), new RegExp(`/j/${cafe.code}$`));
    assert.equal((await projector.textContent('#question #cafe-question')).trim(), QUESTION);
    await projector.screenshot({ path: join(shots, 'projector-1-lobby-1920.png') });
    assert.deepEqual(await audit(projector), [], 'axe: projector lobby');
  });

  it('the console in the lobby puts sharing and people first, the vote below', async () => {
    const ctx = await browser.newContext(LAPTOP);
    org = await ctx.newPage();
    await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await org.waitForSelector('#console-cards [data-when=now][data-card="share"]', WAIT);
    const now = await org.$$eval('#console-cards > .console-slot[data-when=now]', (s) => s.map((e) => e.dataset.card));
    assert.deepEqual(now.slice(0, 3), ['phase', 'share', 'people']);
    assert.equal(await org.locator('#console-cards [data-when=later][data-card="new-vote"]').count(), 1, 'the vote card is below, not gone');
    assert.equal(await org.locator('#console-cards [data-when=later][data-card="ideas"] #console-ideas').count(), 1);
    await org.screenshot({ path: join(shots, 'console-lobby-1366.png'), fullPage: false });
  });

  it('ideate: the plenary by default, the board the facilitator picks in the console', async () => {
    const [r] = await viaWs(shotPage, [{
      token: cafe.organiser_token,
      commands: [
        { type: 'set_phase', phase: 'ideate' },
        { type: 'start_timer', duration_secs: 600 },
        { type: 'post_idea', board: plenary, text: 'Rain tanks on every school roof' },
        { type: 'post_idea', board: table.board, text: 'Table one: fix the leaking mains first' },
      ],
    }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    await projector.waitForSelector('#projector-ideas .note', WAIT);
    assert.equal((await projector.textContent('#projector-board')).trim(), 'Plenary');
    assert.match(await projector.textContent('#projector-ideas'), /Rain tanks/);
    assert.doesNotMatch(await projector.textContent('#projector-ideas'), /Table one/);
    assert.equal(await projector.locator('[role=timer]').count(), 1, 'ideate shows the timer');
    assert.equal((await projector.textContent('#question #cafe-question')).trim(), QUESTION);

    // The console's now-cards follow the phase.
    await org.waitForSelector('#console-cards [data-when=now][data-card="timer"]', WAIT);
    const now = await org.$$eval('#console-cards > .console-slot[data-when=now]', (s) => s.map((e) => e.dataset.card));
    assert.deepEqual(now.slice(0, 2), ['phase', 'timer']);

    await org.selectOption('#projector-board-choice', String(table.board));
    await projector.waitForFunction(() => /Table one/.test(document.querySelector('#projector-ideas')?.textContent ?? ''), null, WAIT);
    assert.equal((await projector.textContent('#projector-board')).trim(), 'Table 1');
    assert.doesNotMatch(await projector.textContent('#projector-ideas'), /Rain tanks/);
    // A fresh projector (a reload, a second screen) comes up on the chosen board too.
    const again = await projCtx.newPage();
    await again.goto(projectorUrl(600));
    await again.waitForSelector('#projector-ideas .note', WAIT);
    assert.equal((await again.textContent('#projector-board')).trim(), 'Table 1');
    await again.close();

    await org.selectOption('#projector-board-choice', String(plenary));
    await projector.waitForFunction(() => /Rain tanks/.test(document.querySelector('#projector-ideas')?.textContent ?? ''), null, WAIT);
    assert.equal((await projector.textContent('#projector-board')).trim(), 'Plenary');
  });

  it('pages a 40-note wall: every note whole on some page, text at least 28 px', async () => {
    const notes = Array.from({ length: 39 }, (_, i) => {
      const n = String(i + 2).padStart(2, '0');
      // Some long notes, so pages are not a fixed count of notes.
      return i % 7 === 3 ? `Note ${n}: a longer idea, to check that a long note moves to the next column whole rather than being cut at the bottom of the screen`
        : `Note ${n}: idea ${n}`;
    });
    const [r] = await viaWs(shotPage, [{ token: cafe.organiser_token, commands: notes.map((text) => ({ type: 'post_idea', board: plenary, text })) }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    await projector.waitForFunction(() => document.querySelectorAll('#projector-ideas > li').length === 40, null, WAIT);
    await projector.waitForFunction(() => Number(document.querySelector('#projector-ideas-page')?.dataset.pages) > 1, null, WAIT);
    const pages = await pagesOf(projector, 'projector-ideas');
    assert.match((await projector.textContent('#projector-ideas-page .fit-page-n')).trim(), new RegExp(`^\\d / ${pages}$`));

    const font = await projector.$$eval('#projector-ideas .note-text', (els) => Math.min(...els.map((e) => parseFloat(getComputedStyle(e).fontSize))));
    assert.ok(font >= 28, `note text is ${font} px`);
    // Every text the room can see (not the headings kept for screen readers).
    const smallest = await projector.evaluate(() => {
      let min = { px: Infinity, what: '' };
      for (const el of document.querySelectorAll('#projector *')) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.getClientRects().length || el.closest('.sr-only')) continue;
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px < min.px) min = { px, what: `${el.className}: ${el.textContent.trim().slice(0, 30)}` };
      }
      return min;
    });
    assert.ok(smallest.px >= 28, `the smallest text on the projector is ${smallest.px} px (${smallest.what})`);

    const all = new Set();
    const indicators = new Set();
    for (let i = 0; i < pages; i += 1) {
      const { seen, cut } = await visibleNotes(projector, 'projector-ideas');
      assert.equal(cut, 0, `page ${i + 1}: no note is cut at the edge`);
      assert.ok(seen.length > 0, `page ${i + 1} shows notes`);
      seen.forEach((s) => all.add(s));
      indicators.add((await projector.textContent('#projector-ideas-page .fit-page-n')).trim());
      if (i === 0) await projector.screenshot({ path: join(shots, 'projector-2-ideate-1920.png') });
      const before = await pageNo(projector, 'projector-ideas');
      await projector.keyboard.press('ArrowRight');
      await projector.waitForFunction((b) => Number(document.querySelector('#projector-ideas-page').dataset.page) !== b, before, WAIT);
    }
    assert.equal(indicators.size, pages, 'the indicator changed with every page');
    for (const text of ['Rain tanks on every school roof', ...notes]) assert.ok(all.has(text), `"${text.slice(0, 20)}…" appears on some page`);

    // Pages also turn by themselves.
    const turning = await projCtx.newPage();
    await turning.goto(projectorUrl(2));
    await turning.waitForFunction(() => Number(document.querySelector('#projector-ideas-page')?.dataset.pages) > 1, null, WAIT);
    const first = await pageNo(turning, 'projector-ideas');
    await turning.waitForFunction((f) => Number(document.querySelector('#projector-ideas-page').dataset.page) !== f, first, WAIT);
    await turning.close();

    const small = await browser.newContext({ viewport: { width: 1366, height: 768 }, reducedMotion: 'reduce' });
    const laptop = await small.newPage();
    await laptop.goto(projectorUrl(600));
    await laptop.waitForSelector('#projector-ideas .note', WAIT);
    const { cut } = await visibleNotes(laptop, 'projector-ideas');
    assert.equal(cut, 0, 'at 1366×768 nothing is cut either');
    await laptop.screenshot({ path: join(shots, 'projector-ideate-1366.png') });
    await small.close();
    assert.deepEqual(await audit(projector), [], 'axe: projector wall');
  });

  it('group: themes with their notes', async () => {
    const s = await stateOf(shotPage, cafe.organiser_token);
    const ids = Object.values(s.ideas).filter((i) => i.board === plenary).map((i) => i.id).sort((a, b) => a - b);
    const [r] = await viaWs(shotPage, [{
      token: cafe.organiser_token,
      commands: [
        { type: 'set_phase', phase: 'group' },
        { type: 'create_cluster', board: plenary, title: 'Catch the rain', ideas: ids.slice(0, 6) },
        { type: 'create_cluster', board: plenary, title: 'Fix the pipes', ideas: ids.slice(6, 12) },
      ],
    }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    await projector.waitForFunction(() => document.querySelectorAll('#projector-themes .theme-head').length === 3, null, WAIT);
    const heads = await projector.$$eval('#projector-themes .theme-head .theme-title', (h) => h.map((e) => e.textContent.trim()));
    assert.deepEqual(heads, ['Catch the rain', 'Fix the pipes', 'Not in a theme yet']);
    // The notes of a theme follow its title.
    const order = await projector.$$eval('#projector-themes > li', (l) => l.map((e) => (e.classList.contains('theme-head') ? 'H' : 'n')).join(''));
    assert.match(order, /^Hn{6}Hn{6}Hn{28}$/);
    // Back to the first page (the clicker turned it earlier) for the picture.
    for (let i = 0; i < 5 && (await pageNo(projector, 'projector-themes')) !== 1; i += 1) await projector.keyboard.press('ArrowRight');
    await projector.screenshot({ path: join(shots, 'projector-3-group-1920.png') });
    await org.waitForSelector('#console-cards [data-when=now][data-card="ideas"]', WAIT);
  });

  it('vote and results: the ballot, then every ranked row on screen', async () => {
    // A fresh board-sized vote: eight short ideas on the table's board, put on the projector.
    const items = ['Rain tanks', 'Fix leaks', 'Grey water', 'Desalination', 'Wells', 'Meters', 'School lessons', 'Drip irrigation'];
    let [r] = await viaWs(shotPage, [{
      token: cafe.organiser_token,
      commands: items.map((text) => ({ type: 'post_idea', board: table.board, text })),
    }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    [r] = await viaWs(shotPage, [{
      token: cafe.organiser_token,
      // The vote opens with the phase, as prepared: here on the table's board.
      commands: [
        { type: 'set_projector', board: table.board },
        { type: 'set_vote_draft', draft: { scope: { kind: 'boards', boards: [table.board] }, target: 'ideas', budget: 5, per_item_cap: 5, visibility: 'hidden' } },
        { type: 'set_phase', phase: 'vote' },
      ],
    }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    let s = await stateOf(shotPage, cafe.organiser_token);
    let vote = Object.values(s.votes).find((v) => v.status === 'open');
    if (!vote) {
      [r] = await viaWs(shotPage, [{
        token: cafe.organiser_token,
        commands: [{ type: 'open_vote', scope: { kind: 'boards', boards: [table.board] }, target: 'ideas', budget: 5, per_item_cap: 5, visibility: 'hidden' }],
      }]);
      assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
      s = await stateOf(shotPage, cafe.organiser_token);
      vote = Object.values(s.votes).find((v) => v.status === 'open');
    }
    await projector.waitForSelector('#projector-ballot .ballot-card', WAIT);
    assert.match(await projector.textContent('#projector-ballot'), /Drip irrigation/);
    await projector.screenshot({ path: join(shots, 'projector-4-vote-1920.png') });
    await org.waitForSelector('#console-cards [data-when=now][data-card="votes"]', WAIT);
    await org.screenshot({ path: join(shots, 'console-vote-1366.png') });

    // Eight voters give different counts, so the ranking is certain at the top.
    const people = [];
    for (let i = 0; i < 8; i += 1) people.push(await apiJoin(server.url, cafe.code, `Voter ${i}`));
    const byText = Object.fromEntries(Object.values(s.ideas).map((i) => [i.text, i.id]));
    const jobs = people.map((p, i) => ({
      token: p.token,
      commands: items.slice(0, i + 1).map((t) => ({ type: 'cast_dot', vote: vote.id, item: byText[t] })).slice(0, 5),
    }));
    const cast = await viaWs(shotPage, jobs);
    cast.forEach((c) => assert.equal(c.rejects.length, 0, JSON.stringify(c.rejects)));
    [r] = await viaWs(shotPage, [{
      token: cafe.organiser_token,
      commands: [{ type: 'close_vote', vote: vote.id }, { type: 'reveal_vote', vote: vote.id }, { type: 'set_phase', phase: 'results' }],
    }]);
    // The vote may already be closed and revealed by the move to results; what counts is below.
    s = await stateOf(shotPage, cafe.organiser_token);
    assert.ok(s.votes[vote.id].revealed, 'revealed');
    // The table's board had one idea already: nine items on the ballot, nine rows.
    const n = s.votes[vote.id].items.length;
    assert.ok(n >= 8, `${n} items`);
    await projector.waitForFunction((n) => document.querySelectorAll('#projector-ranking .result-row').length === n, n, WAIT);
    await projector.waitForFunction(() => document.querySelector('#projector-ranking-page').dataset.pages === '1', null, WAIT);
    const rows = await visibleNotes(projector, 'projector-ranking');
    assert.equal(rows.seen.length, n, `all ${n} rows are on screen at once`);
    assert.equal(rows.cut, 0);
    assert.ok(rows.frameBottom <= rows.vh, 'inside the viewport');
    const ranked = await projector.$$eval('#projector-ranking .result-label', (l) => l.map((e) => e.textContent.trim()));
    assert.deepEqual(ranked.slice(0, 2), ['Rain tanks', 'Fix leaks']);
    assert.equal(ranked.length, n);
    await projector.screenshot({ path: join(shots, 'projector-5-results-1920.png') });
    await org.waitForSelector('#console-cards [data-when=now][data-card="exports"]', WAIT);
    assert.deepEqual(await audit(projector), [], 'axe: projector results');
  });

  it('closed: results and thanks, and no timer counting down', async () => {
    const [r] = await viaWs(shotPage, [{ token: cafe.organiser_token, commands: [{ type: 'start_timer', duration_secs: 300 }, { type: 'set_phase', phase: 'closed' }] }]);
    // Starting a timer in results may be refused; closed must hide any timer either way.
    assert.ok(r.acks >= 1, JSON.stringify(r.rejects));
    await projector.waitForSelector('#projector-thanks', WAIT);
    assert.equal(await projector.locator('[role=timer]').count(), 0, 'no timer when closed');
    assert.ok(await projector.locator('#projector-ranking .result-row').count() >= 8);
    await projector.screenshot({ path: join(shots, 'projector-6-closed-1920.png') });
    const ar = await browser.newContext({ ...PROJECTOR, locale: 'ar' });
    const arPage = await ar.newPage();
    await arPage.goto(`${server.url}/404-blank`);
    await arPage.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await arPage.goto(projectorUrl(600));
    await arPage.waitForSelector('#projector-thanks', WAIT);
    await arPage.waitForFunction(() => document.documentElement.dir === 'rtl', null, WAIT);
    await arPage.screenshot({ path: join(shots, 'projector-closed-ar-1920.png') });
    const { cut, cutWhat } = await visibleNotes(arPage, 'projector-ranking');
    assert.equal(cut, 0, `right to left, nothing is cut: ${cutWhat}`);
    await ar.close();
    await org.waitForSelector('#console-cards [data-when=now][data-card="exports"]', WAIT);
    assert.deepEqual(await audit(org), [], 'axe: console (closed)');
  });

  it('300 people and 1,000 ideas: capped, paged and searchable console; a paged wall', async () => {
    const big = await apiCreate(server.url, { title: 'Big café', description: QUESTION });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/404-blank`);
    const people = [];
    for (let i = 0; i < 300; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, 300 - i) }, (_, k) => apiJoin(server.url, big.code, `Person ${String(i + k).padStart(3, '0')}`, (i + k) % 3 ? 'room' : 'remote')));
      people.push(...batch);
    }
    let [r] = await viaWs(page, [{ token: big.organiser_token, commands: [{ type: 'set_phase', phase: 'ideate' }] }]);
    assert.equal(r.rejects.length, 0, JSON.stringify(r.rejects));
    // Twenty people post fifty ideas each, in parallel.
    const jobs = people.slice(0, 20).map((p, k) => ({
      token: p.token,
      commands: Array.from({ length: 50 }, (_, j) => ({ type: 'post_idea', board: '$plenary', text: `Idea ${String(k * 50 + j).padStart(4, '0')} from person ${k}` })),
    }));
    const posted = await viaWs(page, jobs);
    posted.forEach((p) => assert.equal(p.rejects.length, 0, JSON.stringify(p.rejects.slice(0, 2))));
    assert.equal(posted.reduce((n, p) => n + p.acks, 0), 1000);

    const ctx = await browser.newContext(LAPTOP);
    const con = await ctx.newPage();
    await signIn(con, server.url, big.cafe_id, big.organiser_token, 'Mele', big.projector_token);
    await con.goto(`${server.url}/c/${big.cafe_id}/console`);
    await con.waitForSelector('#console-ideas-range', WAIT);
    assert.equal(await con.locator('#console-ideas > li').count(), 50, 'one page of ideas');
    assert.equal((await con.textContent('#console-ideas-range')).trim(), '1–50 of 1000');
    await con.click('#console-ideas-next');
    await con.waitForFunction(() => document.querySelector('#console-ideas-range').textContent.trim() === '51–100 of 1000');
    await con.click('#console-ideas-prev');
    await con.waitForFunction(() => document.querySelector('#console-ideas-range').textContent.trim() === '1–50 of 1000');
    await con.fill('#console-ideas-search', 'idea 0777');
    await con.waitForFunction(() => document.querySelectorAll('#console-ideas > li').length === 1);
    assert.match(await con.textContent('#console-ideas'), /Idea 0777 from person 15/);

    assert.equal(await con.locator('#people > li').count(), 50, 'one page of people');
    assert.equal((await con.textContent('#people-range')).trim(), '1–50 of 301');
    await con.click('#people-next');
    await con.waitForFunction(() => document.querySelector('#people-range').textContent.trim() === '51–100 of 301');
    await con.fill('#people-search', 'person 123');
    await con.waitForFunction(() => document.querySelectorAll('#people > li').length === 1);
    assert.match(await con.textContent('#people'), /Person 123/);
    await con.fill('#people-search', 'remote');
    await con.waitForFunction(() => document.querySelector('#people-range').textContent.trim() === '1–50 of 100');
    await con.screenshot({ path: join(shots, 'console-ideate-300-people-1366.png') });
    assert.deepEqual(await audit(con), [], 'axe: console with 1,000 ideas');

    const wall = await (await browser.newContext(PROJECTOR)).newPage();
    await wall.goto(`${server.url}/c/${big.cafe_id}/projector#token=${big.projector_token}&turn=600`);
    await wall.waitForFunction(() => Number(document.querySelector('#projector-ideas-page')?.dataset.pages) > 1, null, WAIT);
    const shown = await wall.locator('#projector-ideas > li').count();
    assert.ok(shown > 0 && shown <= 120, `the wall holds the newest notes (${shown})`);
    assert.equal((await visibleNotes(wall, 'projector-ideas')).cut, 0);
    await wall.screenshot({ path: join(shots, 'projector-ideate-1000-ideas-1920.png') });
  });
});
