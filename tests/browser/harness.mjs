// Shared helpers for the browser tests: a real cafe-server on a free port with a temporary
// data dir, and headless Chromium from Debian (never a downloaded browser).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's serious and critical violations on the page as it is now. Evaluated through the
// DevTools protocol, not as an inline <script>: the server's Content-Security-Policy (rightly)
// blocks inline scripts it has no hash for.
export async function audit(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The newest of the debug and release server binaries (CAFE_SERVER_BIN overrides). */
export function serverBinary() {
  if (process.env.CAFE_SERVER_BIN) return process.env.CAFE_SERVER_BIN;
  const found = ['debug', 'release']
    .map((p) => join(repo, 'target', p, 'cafe-server'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('build the server first: cargo build -p cafe-server');
  return found[0];
}

/** Starts the server (with `extraArgs`, e.g. `['--join-burst', '1000']`); resolves to { url, stop }. */
export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cafe-browser-'));
  const proc = spawn(serverBinary(), ['--addr', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 30000);
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      log += d;
      const m = out.match(/listening on (\S+)/);
      if (m) { clearTimeout(timer); ok(`http://${m[1]}`); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}:\n${log}`)); });
  });
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((ok) => { proc.once('exit', ok); setTimeout(ok, 8000); });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, stop, log: () => log };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const LAPTOP = { viewport: { width: 1366, height: 768 } };

/** Creates a café over HTTP (for tests that are not about the create form). */
export async function apiCreate(base, body = {}) {
  const r = await fetch(`${base}/api/cafes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Island water futures', organiser_name: 'Mele', ...body }),
  });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
  return r.json();
}

export async function apiJoin(base, code, name, location = 'room') {
  const r = await fetch(`${base}/api/cafes/by-code/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, location }),
  });
  if (!r.ok) throw new Error(`join: ${r.status} ${await r.text()}`);
  return r.json();
}

/** Puts a token where the app keeps it, so a page opens as that person. */
export async function signIn(page, base, cafeId, token, name = '', projectorToken) {
  await page.goto(`${base}/404-blank`);
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [
    `cafe.creds.${cafeId}`,
    JSON.stringify({ token, name, ...(projectorToken ? { projector_token: projectorToken } : {}) }),
  ]);
}
