// The console on another device (issue 13, item 1, in part): the console's Share card offers
// "Open this console on another device", a link that signs in as the person looking. A second
// browser with nothing stored opens it and runs the café: its phase change reaches the first
// console. The key rides in the URL fragment (never sent to the server) and is cleared from
// the address bar once kept. A browser that held another person of the café lets go of them
// and of their copy of the café. Co-facilitators: the organiser makes someone who joined a
// co-facilitator in the console's people list; their phone's board tells them and links to
// the console, where they run the café; made a participant again, their console stops.
// axe audits the card (English and Arabic) and the co-facilitator's phone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, apiJoin, signIn, LAPTOP, PHONE, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-devices-shots');

describe('the console on another device', () => {
  let server, browser, cafe, org, link;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    cafe = await apiCreate(server.url, { title: 'Smart islands' });
    org = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(org, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await org.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await org.waitForSelector('.conn-ok', WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the Share card gives a link that signs in as me, kept out of the address bar', async () => {
    await org.click('#device-link summary');
    await org.waitForSelector('#device-link-url', { state: 'visible', ...WAIT });
    link = await org.inputValue('#device-link-url');
    assert.equal(link, `${server.url}/c/${cafe.cafe_id}/console#token=${cafe.organiser_token}&projector=${cafe.projector_token}`);
    assert.match(await org.textContent('#device-link-hint'), /Keep it safe/);
    await org.locator('[data-card="share"]').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'console-device-link-1366.png') });
    assert.deepEqual(await audit(org), [], 'console with the device link open');
  });

  it('another browser opens the link and runs the café', async () => {
    const other = await (await browser.newContext(LAPTOP)).newPage();
    await other.goto(link);
    await other.waitForSelector('#phase-ideate', WAIT);
    assert.equal(new URL(other.url()).hash, '', 'the key left the address bar');
    const kept = await other.evaluate((id) => JSON.parse(localStorage.getItem(`cafe.creds.${id}`)), cafe.cafe_id);
    assert.equal(kept.token, cafe.organiser_token);
    assert.equal(kept.projector_token, cafe.projector_token);
    await other.click('#phase-ideate');
    await org.waitForSelector('#phase-ideate[aria-pressed="true"]', WAIT);
    // A reload keeps working from what was stored.
    await other.reload();
    await other.waitForSelector('#phase-ideate[aria-pressed="true"]', WAIT);
    await other.waitForSelector('#projector-link', WAIT);
  });

  it('a phone that held a participant becomes the organiser, forgetting the participant', async () => {
    const ana = await apiJoin(server.url, cafe.code, 'Ana', 'room');
    const phone = await (await browser.newContext(PHONE)).newPage();
    await signIn(phone, server.url, cafe.cafe_id, ana.token, 'Ana');
    await phone.goto(`${server.url}/c/${cafe.cafe_id}`);
    await phone.waitForSelector('#idea-input', WAIT);
    await phone.goto(link);
    await phone.waitForSelector('#phase-ideate', WAIT);
    const kept = await phone.evaluate((id) => JSON.parse(localStorage.getItem(`cafe.creds.${id}`)), cafe.cafe_id);
    assert.equal(kept.token, cafe.organiser_token, 'the organiser now');
    assert.deepEqual(await audit(phone), [], 'console on a phone');
  });

  it('the organiser makes a participant a co-facilitator, who runs the console from their phone, and back', async () => {
    const bea = await apiJoin(server.url, cafe.code, 'Bea', 'remote');
    const phone = await (await browser.newContext(PHONE)).newPage();
    await signIn(phone, server.url, cafe.cafe_id, bea.token, 'Bea');
    await phone.goto(`${server.url}/c/${cafe.cafe_id}`);
    await phone.waitForSelector('#idea-input', WAIT);
    assert.equal(await phone.locator('#facilitator-banner').count(), 0, 'a participant is not told');
    const role = `#role-${bea.person_id}`;
    await org.waitForSelector(`${role}[data-role="facilitator"]`, WAIT);
    assert.equal(await org.getAttribute(role, 'aria-label'), 'Make Bea a co-facilitator');
    await org.click(role);
    await phone.waitForSelector('#facilitator-banner', WAIT);
    await org.waitForSelector(`${role}[data-role="participant"]`, WAIT);
    await org.locator('[data-card="people"] > section').screenshot({ path: join(shots, 'console-people-roles-1366.png') });
    await phone.screenshot({ path: join(shots, 'phone-cofacilitator-360.png') });
    assert.deepEqual(await audit(phone), [], 'phone told it co-facilitates');
    await phone.click('#console-link');
    await phone.waitForSelector('#phase-group', WAIT);
    await phone.click('#phase-group');
    await org.waitForSelector('#phase-group[aria-pressed="true"]', WAIT);
    // Back to a participant: the console on the phone no longer runs the café.
    await org.click(role);
    await phone.waitForSelector('h1:text-is("Only facilitators can open the console.")', WAIT);
    assert.equal(await phone.locator('#phase-group').count(), 0);
  });

  it('reads right to left in Arabic', async () => {
    const ar = await (await browser.newContext(LAPTOP)).newPage();
    await signIn(ar, server.url, cafe.cafe_id, cafe.organiser_token, 'Mele', cafe.projector_token);
    await ar.evaluate(() => localStorage.setItem('cafe.lang', 'ar'));
    await ar.goto(`${server.url}/c/${cafe.cafe_id}/console`);
    await ar.waitForSelector('html[dir="rtl"]', WAIT);
    await ar.click('#device-link summary');
    await ar.waitForSelector('#device-link-url', { state: 'visible', ...WAIT });
    assert.equal(await ar.getAttribute('#device-link-url', 'dir'), 'ltr', 'a URL reads left to right');
    await ar.locator('[data-card="share"]').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: join(shots, 'console-device-link-ar-1366.png') });
    assert.deepEqual(await audit(ar), [], 'Arabic console with the device link');
  });
});
