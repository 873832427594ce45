// nimo's service worker. The build fills in BUILD_ID and PRECACHE (the page
// and every content-hashed file), so a new build is a new worker.
const BUILD_ID = "__BUILD_ID__";
const PRECACHE = __PRECACHE__;
const CACHE = `nimo-${BUILD_ID}`;

self.addEventListener('install', (event) => {
  // No skipWaiting(): a new version waits until the user taps 「更新」.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('nimo-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API is never cached: its answers belong to the sync engine.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    // The app shell is the version this worker installed, online or not;
    // a newer one is offered by the update notice, not switched in.
    event.respondWith(fromCache('/').then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(fromCache(request).then((hit) => hit || fetch(request)));
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: typeof request === 'string' });
}
