// Renders the four main pages (landing, participant board, facilitator console, projector)
// on a phone (360×740), a desktop (1280×800) and, for the board, a laptop (1366×768) into
// docs/screenshots/, against a real server with a small demo café.
// Run: node tests/browser/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, repo, PHONE, DESKTOP, LAPTOP } from './harness.mjs';

const out = join(repo, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const WAIT = { timeout: 15000 };

const server = await startServer();
const browser = await launchBrowser();
try {
  const cafe = await apiCreate(server.url, { title: 'Island water futures', description: 'How do our islands keep fresh water through the dry season?' });
  const people = [];
  for (const [name, loc] of [['Ana', 'room'], ['Ben', 'remote'], ['Chen', 'room'], ['Dalia', 'remote']]) {
    people.push(await apiJoin(server.url, cafe.code, name, loc));
  }
  const orgCtx = await browser.newContext(DESKTOP);
  const org = await orgCtx.newPage();
  await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
  await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
  await org.click('#phase-ideate', WAIT);

  // Participants post through their own boards, so authors are real.
  const ideas = [
    ['Ana', 'Solar desalination kiosks at every harbour'],
    ['Ben', 'Rainwater tanks on every school roof'],
    ['Chen', 'Fix leaking village pipes before building new ones'],
    ['Dalia', 'Fog nets on the ridges above the villages'],
    ['Ana', 'A text-message alert when the reservoir runs low'],
    ['Ben', 'Mangrove nurseries to stop salt water reaching the wells'],
  ];
  const pages = {};
  for (const p of people) {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const name = ['Ana', 'Ben', 'Chen', 'Dalia'][people.indexOf(p)];
    await signIn(page, server.url, cafe.cafe_id, p.token, name);
    await page.goto(`${server.url}/c/${cafe.cafe_id}`);
    await page.waitForSelector('#idea-input', WAIT);
    pages[name] = page;
  }
  for (const [name, text] of ideas) {
    await pages[name].fill('#idea-input', text);
    await pages[name].click('#post-idea');
  }
  await org.waitForFunction(() => document.querySelectorAll('#console-ideas .note').length >= 6, null, WAIT);
  await pages.Chen.click('#hand');
  await pages.Dalia.click('#ready');
  await org.fill('#timer-minutes', '8');
  await org.click('#timer-start');

  const landingPhone = await (await browser.newContext(PHONE)).newPage();
  await landingPhone.goto(`${server.url}/j/${cafe.code}`);
  await landingPhone.waitForSelector('#join');
  await landingPhone.screenshot({ path: join(out, 'landing-phone.png') });
  const landingDesk = await (await browser.newContext(DESKTOP)).newPage();
  await landingDesk.goto(server.url);
  await landingDesk.waitForSelector('#join');
  await landingDesk.screenshot({ path: join(out, 'landing-desktop.png') });

  await pages.Ana.waitForSelector('.timer-running');
  await pages.Ana.screenshot({ path: join(out, 'board-phone.png'), fullPage: true });
  const anaDesk = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(anaDesk, server.url, cafe.cafe_id, people[0].token, 'Ana');
  await anaDesk.goto(`${server.url}/c/${cafe.cafe_id}`);
  await anaDesk.waitForSelector('#idea-input', WAIT);
  await anaDesk.screenshot({ path: join(out, 'board-desktop.png') });
  const anaLaptop = await (await browser.newContext(LAPTOP)).newPage();
  await signIn(anaLaptop, server.url, cafe.cafe_id, people[0].token, 'Ana');
  await anaLaptop.goto(`${server.url}/c/${cafe.cafe_id}`);
  await anaLaptop.waitForSelector('#idea-input', WAIT);
  await anaLaptop.screenshot({ path: join(out, 'board-laptop.png') });

  await org.waitForSelector('#hands li', WAIT);
  await org.screenshot({ path: join(out, 'console-desktop.png'), fullPage: true });
  const orgPhone = await (await browser.newContext(PHONE)).newPage();
  await signIn(orgPhone, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
  await orgPhone.goto(`${server.url}/c/${cafe.cafe_id}/console`);
  await orgPhone.waitForSelector('#phase-ideate', WAIT);
  await orgPhone.screenshot({ path: join(out, 'console-phone.png') });

  const projCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const proj = await projCtx.newPage();
  await proj.goto(`${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}`);
  await proj.waitForSelector('#projector-ideas .note', WAIT);
  await proj.screenshot({ path: join(out, 'projector-desktop.png') });

  // Grouping: participants no longer post, and the board says why.
  await org.click('#phase-group');
  await pages.Ana.waitForSelector('.composer-closed', WAIT);
  await pages.Ana.screenshot({ path: join(out, 'board-group-phone.png'), fullPage: true });
  await anaLaptop.waitForSelector('.composer-closed', WAIT);
  await anaLaptop.screenshot({ path: join(out, 'board-group-laptop.png') });

  // Vote and reveal, then the projector's results and the phone's ballot.
  await org.click('#phase-vote');
  await org.click('#open-vote');
  await pages.Ana.waitForSelector('#vote .ballot-item', WAIT);
  const votes = { Ana: [0, 0, 2], Ben: [1, 0, 3], Chen: [0, 2, 2], Dalia: [0, 3, 1] };
  for (const [name, items] of Object.entries(votes)) {
    const page = pages[name];
    await page.waitForSelector('#vote .ballot-item', WAIT);
    for (const i of items) {
      await page.locator('.ballot-item').nth(i).locator('.cast-dot').click();
      await page.waitForTimeout(150);
    }
  }
  await pages.Ana.screenshot({ path: join(out, 'board-vote-phone.png'), fullPage: true });
  await org.waitForSelector('text=/12 dots cast/', WAIT);
  await org.click('#reveal-vote');
  await proj.waitForSelector('#projector-results .result-row', WAIT);
  await proj.screenshot({ path: join(out, 'projector-results-desktop.png') });
  const projPhone = await (await browser.newContext(PHONE)).newPage();
  await projPhone.goto(`${server.url}/c/${cafe.cafe_id}/projector#token=${cafe.projector_token}`);
  await projPhone.waitForSelector('#projector-results .result-row', WAIT);
  await projPhone.screenshot({ path: join(out, 'projector-phone.png') });

  const ar = await (await browser.newContext(PHONE)).newPage();
  await ar.goto(server.url);
  await ar.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
  await ar.goto(`${server.url}/j/${cafe.code}`);
  await ar.waitForSelector('html[dir="rtl"]');
  await ar.screenshot({ path: join(out, 'landing-arabic-phone.png') });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
