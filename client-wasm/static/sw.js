// Service worker: lets the app open with no connection (a reload in a tunnel, a phone that
// lost the venue Wi-Fi) so the saved board and the unsent outbox are there and go out when
// the link returns, and makes a repeat visit download no app bytes.
//
// The build writes its manifest in place of `self.MANIFEST`: every script, wasm and style
// sheet is named by its content, so a file of that name never changes and may be answered
// from the cache first. Pages (HTML) go to the network first, so nobody runs a stale bundle
// while the server is reachable. The API and the WebSocket are never touched.
const MANIFEST = self.MANIFEST;
const CACHE = 'cafe-v3-' + MANIFEST.build;
const BUNDLES = MANIFEST.bundles;
// Which build of the app a page address gets, to open the right shell offline. Mirrors
// cafe_shared::screens::Bundle::for_path; tests/browser/bundle.test.mjs checks the two agree.
const bundleFor = (path) => {
  const p = path.split('/').filter((s) => s);
  if (p.length === 1 && p[0] === 'new') return 'create';
  if (p.length === 3 && p[0] === 'c' && ['links', 'key'].includes(p[2])) return 'create';
  if (p.length === 3 && p[0] === 'c' && ['console', 'projector', 'scribe'].includes(p[2])) return p[2];
  return 'participant';
};

// Keeps one bundle (its shell and files). The files were just loaded by the page, so this
// reads them from the HTTP cache.
const keep = (name) => {
  const b = BUNDLES[name];
  return b ? caches.open(CACHE).then((c) => c.addAll(['/' + b.html, ...b.files.map((f) => '/' + f)])) : Promise.resolve();
};

self.addEventListener('install', (e) => {
  // A new deployment: keep the new version of whichever bundles this browser kept before.
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cafe-v3-')).map((k) => caches.open(k).then((c) => c.keys()))))
      .then((lists) => {
        const had = new Set(lists.flat().map((r) => new URL(r.url).pathname.slice(1)));
        return Promise.all(Object.keys(BUNDLES).filter((n) => had.has(BUNDLES[n].html)).map(keep));
      })
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// A page names its script (`{keep: "/participant-1a2b3c4d.js"}`); the bundle with that file
// is kept.
self.addEventListener('message', (e) => {
  const script = e.data && typeof e.data.keep === 'string' ? e.data.keep.slice(1) : '';
  const name = Object.keys(BUNDLES).find((n) => BUNDLES[n].files.includes(script));
  if (name) e.waitUntil(keep(name));
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const path = url.pathname;
  if (url.origin !== self.location.origin || path.startsWith('/api/') || path === '/ws') return;
  if (req.mode === 'navigate') {
    // Offline, the address opens the shell of the build that has its screen, if kept.
    const shell = '/' + bundleFor(path) + '.html';
    e.respondWith(fetch(req).catch(() => caches.match(shell).then((hit) => hit || Response.error())));
    return;
  }
  const immutable = Object.values(BUNDLES).some((b) => b.files.includes(path.slice(1)));
  if (immutable) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  // Language tables are fetched when chosen and kept for the next offline reopen; they
  // change only with a deployment, which brings a new cache.
  if (path.startsWith('/i18n/')) {
    e.respondWith(
      caches.match(req).then((hit) => hit || fetch(req).then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })),
    );
  }
});
