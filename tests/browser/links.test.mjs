// Access links (issue 13, item 1): creating a café shows the organiser's link once, with its
// QR code and a "keep this safe" note. A second browser with nothing stored opens that link
// and runs the console. The organiser invites a co-facilitator on the links page; their phone
// opens the link and runs the café; revoked, the phone is shut out at once. The organiser
// gives their own link a new secret and stays in, while the old link no longer opens.
// Screenshots at phone, laptop and projector sizes and in Arabic; axe audits each screen.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, LAPTOP, PHONE, audit } from './harness.mjs';

const WAIT = { timeout: 15000 };
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };
const shots = process.env.SCREENSHOTS ?? join(tmpdir(), 'cafe-links-shots');

describe('access links', () => {
  let server, browser, org, cafeId, orgLink, mereLink;

  before(async () => {
    // Everything the server would log, so the last test can look for secrets in it.
    const level = process.env.RUST_LOG;
    process.env.RUST_LOG = 'debug';
    server = await startServer();
    if (level === undefined) delete process.env.RUST_LOG; else process.env.RUST_LOG = level;
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creating a café shows the organiser link once, copyable and as a QR code', async () => {
    org = await (await browser.newContext(LAPTOP)).newPage();
    await org.goto(`${server.url}/new`);
    await org.fill('#cafe-title', 'Digital ID in the Pacific');
    await org.fill('#organiser-name', 'Mele');
    await org.click('#create');
    await org.waitForSelector('#reveal-url', WAIT);
    cafeId = (await org.getAttribute('#open-console', 'href')).split('/')[2];
    orgLink = await org.inputValue('#reveal-url');
    assert.match(orgLink, new RegExp(`^${server.url}/c/${cafeId}/key#1\\.[A-Za-z0-9_-]{43}$`));
    assert.match(await org.textContent('.keep-safe'), /keep/i);
    assert.match(await org.getAttribute('#reveal-qr', 'src'), /^data:image\/svg\+xml/);
    const qrWidth = await org.evaluate(() => document.querySelector('#reveal-qr').naturalWidth);
    assert.ok(qrWidth > 0, 'the QR code renders');
    await org.locator('#reveal-url').scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(shots, 'created-organiser-link-1366.png'), fullPage: true });
    assert.deepEqual(await audit(org), [], 'created page with the organiser link');
  });

  it('another browser opens the organiser link and runs the console', async () => {
    const other = await (await browser.newContext(LAPTOP)).newPage();
    await other.goto(orgLink);
    await other.waitForSelector('#phase-ideate', WAIT);
    assert.equal(new URL(other.url()).pathname, `/c/${cafeId}/console`);
    assert.equal(new URL(other.url()).hash, '', 'the key left the address bar');
    await other.click('#phase-ideate');
    await org.goto(`${server.url}/c/${cafeId}/console`);
    await org.waitForSelector('#phase-ideate[aria-pressed="true"]', WAIT);
    await other.close();
  });

  it('a wrong key is refused with a clear page', async () => {
    const page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(`${server.url}/c/${cafeId}/key#1.not-the-secret`);
    await page.waitForSelector('#key-invalid', WAIT);
    assert.equal(await page.evaluate((id) => localStorage.getItem(`cafe.creds.${id}`), cafeId), null);
    await page.screenshot({ path: join(shots, 'key-invalid-360.png') });
    assert.deepEqual(await audit(page), [], 'invalid key page');
  });

  it('the organiser invites a co-facilitator whose phone runs the café, then revokes them', async () => {
    await org.click('#access-links');
    await org.waitForSelector('#link-list #link-1', WAIT);
    await org.fill('#invite-name', 'Mere');
    await org.selectOption('#invite-role', 'facilitator');
    await org.click('#invite');
    await org.waitForSelector('#reveal-url', WAIT);
    mereLink = await org.inputValue('#reveal-url');
    assert.match(mereLink, new RegExp(`/c/${cafeId}/key#2\\.`));
    await org.waitForSelector('#link-2', WAIT);
    assert.match(await org.textContent('#link-2'), /Mere/);

    const phone = await (await browser.newContext(PHONE)).newPage();
    await phone.goto(mereLink);
    await phone.waitForSelector('#phase-group', WAIT);
    await phone.click('#phase-group');
    await org.goto(`${server.url}/c/${cafeId}/console`);
    await org.waitForSelector('#phase-group[aria-pressed="true"]', WAIT);
    await org.click('#access-links');
    await org.waitForSelector('#link-2 .pill-on', WAIT);
    await org.screenshot({ path: join(shots, 'links-page-1366.png'), fullPage: true });
    assert.deepEqual(await audit(org), [], 'links page');

    // Revoking takes two clicks; the phone is shut out at once.
    await org.click('#link-2 .revoke');
    await org.waitForSelector('#link-2 .revoke.btn-danger', WAIT);
    await org.click('#link-2 .revoke');
    await org.waitForSelector('#link-2 .pill-off', WAIT);
    await phone.waitForSelector('.form-error:has-text("removed")', WAIT);
    assert.equal(await phone.evaluate((id) => localStorage.getItem(`cafe.creds.${id}`), cafeId), null);
    // And the link opens nothing any more.
    const again = await (await browser.newContext(PHONE)).newPage();
    await again.goto(mereLink);
    await again.waitForSelector('#key-invalid', WAIT);
  });

  it('a new secret for my own link keeps me in and closes the old link', async () => {
    await org.click('#link-1 .rotate');
    await org.waitForFunction((old) => {
      const v = document.querySelector('#reveal-url')?.value;
      return v && v.includes('#1.') && v !== old;
    }, orgLink, WAIT);
    const fresh = await org.inputValue('#reveal-url');
    // Still the organiser here, on the stored new token.
    await org.goto(`${server.url}/c/${cafeId}/console`);
    await org.waitForSelector('#phase-group[aria-pressed="true"]', WAIT);
    const stale = await (await browser.newContext(LAPTOP)).newPage();
    await stale.goto(orgLink);
    await stale.waitForSelector('#key-invalid', WAIT);
    const ok = await (await browser.newContext(LAPTOP)).newPage();
    await ok.goto(fresh);
    await ok.waitForSelector('#phase-group[aria-pressed="true"]', WAIT);
  });

  it('fits a phone and a projector, and reads right to left in Arabic', async () => {
    const creds = await org.evaluate((id) => localStorage.getItem(`cafe.creds.${id}`), cafeId);
    for (const [name, size, lang, who] of [['360', PHONE, 'en', 'Sione'], ['1920', PROJECTOR, 'en', 'Lani'], ['ar-360', PHONE, 'ar', 'سارة'], ['ar-1366', LAPTOP, 'ar', 'ليلى']]) {
      const page = await (await browser.newContext(size)).newPage();
      await page.goto(`${server.url}/404-blank`);
      await page.evaluate(([k, v, l]) => { localStorage.setItem(k, v); localStorage.setItem('cafe.lang', l); }, [`cafe.creds.${cafeId}`, creds, lang]);
      await page.goto(`${server.url}/c/${cafeId}/links`);
      await page.waitForSelector('#link-list #link-2', WAIT);
      if (lang === 'ar') await page.waitForSelector('html[dir="rtl"]', WAIT);
      await page.fill('#invite-name', who);
      await page.selectOption('#invite-role', 'host');
      await page.click('#invite');
      await page.waitForSelector('#reveal-url', WAIT);
      assert.equal(await page.getAttribute('#reveal-url', 'dir'), 'ltr', 'a URL reads left to right');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${name}: nothing sticks out sideways`);
      await page.screenshot({ path: join(shots, `links-page-${name}.png`), fullPage: true });
      assert.deepEqual(await audit(page), [], `links page ${name}`);
      await page.context().close();
    }
  });

  it('no secret reaches the server log', () => {
    const log = server.log();
    assert.match(log, /links\/redeem/, 'requests are logged, with their paths');
    for (const link of [orgLink, mereLink]) {
      const secret = link.split('#')[1].split('.')[1];
      assert.ok(!log.includes(secret), 'a link secret is in the log');
    }
  });
});
