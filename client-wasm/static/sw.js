// Service worker: lets the app open with no connection (a reload in a tunnel, a phone that
// lost the venue Wi-Fi) so the saved board and the unsent outbox are there and go out when
// the link returns. Network first, cache only as the fallback: while the server is
// reachable nobody ever runs a stale bundle. The API and the WebSocket are never touched.
const CACHE = 'cafe-shell-v2';
const SHELL = ['/', '/cafe_client.js', '/cafe_client_bg.wasm', '/style.css'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname === '/ws') return;
  // Every app route is the same index.html; the app reads the path itself.
  const key = req.mode === 'navigate' ? '/' : url.pathname;
  // Language tables are fetched when chosen and kept for the next offline reopen.
  if (req.mode !== 'navigate' && !SHELL.includes(key) && !key.startsWith('/i18n/')) return;
  e.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(key, copy));
        }
        return res;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
