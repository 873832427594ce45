// nimo's service worker. The build fills in BUILD_ID and PRECACHE (the page
// and every content-hashed file), so a new build is a new worker.
const BUILD_ID = "__BUILD_ID__";
const PRECACHE = __PRECACHE__;
// nimo_core::SCHEMA_VERSION, filled in by the build.
const SCHEMA = __SCHEMA__;
const CACHE = `nimo-${BUILD_ID}`;

self.addEventListener('install', (event) => {
  // No skipWaiting(): a new version waits until the user taps 「更新」.
  event.waitUntil(precache());
});

// Fills this version's cache. What the page has just downloaded is taken
// from it rather than downloaded again: the app's WebAssembly, handed over
// in the `nimo-page` cache by boot.js, and other hashed files from the
// HTTP cache (`force-cache`). The page itself ("/") is revalidated so that
// it matches this build.
async function precache() {
  const cache = await caches.open(CACHE);
  const page = await caches.open('nimo-page');
  const rest = [];
  for (const url of PRECACHE) {
    const handed = url !== '/' && (await page.match(url));
    if (handed) await cache.put(url, handed);
    else rest.push(new Request(url, { cache: url === '/' ? 'no-cache' : 'force-cache' }));
  }
  await cache.addAll(rest);
  await caches.delete('nimo-page');
}

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
  if (ON_DEMAND.test(url.pathname)) {
    event.respondWith(onDemand(request));
    return;
  }
  event.respondWith(fromCache(request).then((hit) => hit || fetch(request)));
});

// The key and strength modules: not precached (not part of a first visit),
// kept in this version's cache once fetched, so that the app that asked
// for them can use them again offline and after the server has a newer
// build.
const ON_DEMAND = /^\/(keys|strength)-[0-9a-f]{16}\.(js|wasm)$/;

async function onDemand(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: typeof request === 'string' });
}

// Background Sync (Chromium): the connection is back. An open page syncs
// itself. With no page open, the worker pushes the outbox itself so that a
// record saved offline reaches the server without the app being reopened.
// It only pushes, and only what it can read: with the app lock on, the
// outbox is sealed and waits for the app. Anything but a clean
// acknowledgement (a rejection, a new epoch, a signed-out device) is left in
// the outbox for the app's sync engine, which knows how to handle it.
self.addEventListener('sync', (event) => {
  if (event.tag === 'nimo-sync') event.waitUntil(backgroundSync());
});

async function backgroundSync() {
  const windows = await self.clients.matchAll({ type: 'window' });
  if (windows.length > 0) {
    for (const w of windows) w.postMessage({ type: 'nimo-sync' });
    return;
  }
  // The same lock as the app's sync: never two pushes of one outbox at once.
  // Held elsewhere (a page closing in the middle of its sync): fail, so that
  // the browser fires the sync again later instead of counting it as done.
  await navigator.locks.request('nimo-sync', { ifAvailable: true }, async (lock) => {
    if (!lock) throw new Error('nimo-sync is held: the browser will retry');
    await pushOutbox();
  });
}

async function pushOutbox() {
  const db = await openStore();
  if (!db) return;
  try {
    const state = await get(db, 'meta', 'state');
    if (!state || typeof state.v !== 'string') return; // not signed in, or sealed
    const sync = JSON.parse(state.v);
    for (;;) {
      const queued = await getAll(db, 'outbox', 200);
      if (queued.length === 0 || queued.some((q) => typeof q.v !== 'string')) return;
      const response = await fetch('/api/sync/push', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ schema: SCHEMA, client: sync.client, epoch: sync.epoch ?? null, mutations: queued.map((q) => JSON.parse(q.v)) }),
      });
      // A network failure throws, and the browser retries the sync later.
      if (!response.ok) return;
      const answer = await response.json();
      const done = [];
      for (const ack of answer.acks) {
        if (ack.result.kind !== 'applied' && ack.result.kind !== 'duplicate') break;
        done.push(ack.seq);
      }
      if (done.length > 0) await remove(db, 'outbox', done);
      if (done.length < queued.length) return;
    }
  } finally {
    db.close();
  }
}

function openStore() {
  return new Promise((resolve) => {
    const request = indexedDB.open('nimo');
    // No database yet: nothing to send, and creating one is the app's job.
    request.onupgradeneeded = () => request.transaction.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
  });
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function get(db, store, key) {
  return done(db.transaction(store).objectStore(store).get(key));
}

function getAll(db, store, limit) {
  return done(db.transaction(store).objectStore(store).getAll(undefined, limit));
}

function remove(db, store, keys) {
  const tx = db.transaction(store, 'readwrite', { durability: 'strict' });
  for (const key of keys) tx.objectStore(store).delete(key);
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
