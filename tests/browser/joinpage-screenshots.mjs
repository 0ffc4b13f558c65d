// The join link's server-rendered form (before the app has arrived: the WebAssembly is held
// back) on a phone (360×740) and a laptop (1366×768), in English and Arabic, into
// docs/screenshots/join-link-*.png.
// Run: node tests/browser/joinpage-screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, apiCreate, repo, PHONE, LAPTOP } from './harness.mjs';

const out = join(repo, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const server = await startServer();
const browser = await launchBrowser();
try {
  const cafe = await apiCreate(server.url, { title: 'Island water futures', description: 'How do our islands keep fresh water through the dry season?' });
  for (const [device, size] of [['phone', PHONE], ['laptop', LAPTOP]]) {
    for (const locale of ['en', 'ar']) {
      const ctx = await browser.newContext({ ...size, locale });
      const page = await ctx.newPage();
      await page.route('**/*.wasm', (route) => route.abort());
      await page.goto(`${server.url}/j/${cafe.code}`);
      await page.waitForSelector('#prejoin-name');
      await page.fill('#prejoin-name', locale === 'ar' ? 'ليلى' : 'Losa');
      const file = join(out, `join-link-${device}-${locale}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await ctx.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
