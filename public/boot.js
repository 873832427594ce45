// Starts the app and registers the service worker. Kept in its own file
// because the Content-Security-Policy forbids inline script. Loaded
// `async`, so that on a first visit it runs as soon as it arrives rather
// than after the page has been parsed and painted, which on the throttled
// profile started the WebAssembly's download some 300 ms later. Whatever
// needs the page's elements waits for `domReady`.

// An invite link (`/join#<code>`: the code after `#`, which no browser
// sends to a server) answered with this page by the service worker, on a
// device that has the app: into the app's own form of the link, which
// showPageJoin and the app read. (On a first visit the server sends its
// join page instead, whose own script has done this already.)
if (location.pathname === '/join') {
  history.replaceState(null, '', `/#/join/${location.hash.slice(1)}`);
}

const domReady = document.readyState === 'loading'
  ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
  : Promise.resolve();

// The WebAssembly is fetched once, here, while the module loads: no
// <link rel="preload">, which WebKit does not reuse for these fetches. A
// copy of it (and later of the list of areas) is handed to the service
// worker (cache `nimo-page`), which would otherwise download them again to
// install. Only on a first visit: later, the worker already holds them (and
// a new version's worker needs new files anyway).
const firstVisit = !('serviceWorker' in navigator) || !navigator.serviceWorker.controller;
// Later visits are served by the worker's cache at once, and starting before
// the page is parsed only competed with parsing it (repeat visits measured
// slower): they start where a deferred script would.
if (!firstVisit) await domReady;
function hand(url, response) {
  if (!firstVisit || !response.ok || !('caches' in self)) return null;
  // Cloned at once: the app starts reading the original right after.
  const copy = response.clone();
  return caches.open('nimo-page').then((c) => c.put(url, copy));
}
// Not before the stylesheet has arrived: on a slow line the two would share
// the bandwidth, and the page (the invite link's join form) would paint later.
function stylesheetLoaded() {
  const link = document.querySelector('link[rel="stylesheet"]');
  if (!link || link.sheet) return Promise.resolve();
  return new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
}
const wasm = stylesheetLoaded().then(() => fetch('/app.wasm'));
const handed = [wasm.then((r) => hand('/app.wasm', r))];

// The channel on which the app's other tabs announce what they wrote
// (state::tabs), opened before the store is read below: whatever is
// announced after that read's snapshot is heard and kept here, and the app
// rereads it once it runs. The app takes this channel and listens on it.
const tabs = 'BroadcastChannel' in self ? new BroadcastChannel('nimo') : null;
const heard = [];
if (tabs) tabs.onmessage = (e) => heard.push(e.data);
window.nimoTabs = { channel: tabs, heard };

// What a start reads (platform::store::FirstRead), placed as soon as the
// database is open, so that the store works while the WebAssembly is
// fetched and compiled: on a member's reload on the throttled profile the
// app waited ~130 ms for these answers after it started. One read-only
// transaction: the settings first (by key; their answer is told at once,
// for the lock screen), then every collection's records and the count of
// unsent changes, told when all are in.
function firstRead(db) {
  let meta = null;
  let tx = null;
  const records = new Promise((resolve) => {
    try {
      const names = Array.from(db.objectStoreNames);
      tx = db.transaction(names, 'readonly');
      const read = { stores: {}, unsent: 0 };
      meta = new Promise((told) => {
        const req = tx.objectStore('meta').getAll();
        // By key, each as stored (`v`: sealed or in the clear).
        req.onsuccess = () => told(Object.fromEntries(req.result.map((e) => [e.k, e.v])));
        req.onerror = () => told(null);
      });
      for (const name of names) {
        if (name === 'meta') continue;
        const store = tx.objectStore(name);
        const req = name === 'outbox' ? store.count() : store.getAll();
        req.onsuccess = () => {
          if (name === 'outbox') read.unsent = req.result;
          else read.stores[name] = req.result;
        };
      }
      tx.oncomplete = () => resolve(read);
      tx.onabort = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  // For a database at another version than the app's: the app stops this
  // read and waits for it to end before it closes the connection, which
  // would otherwise stay open until the read is done and hold up the
  // upgrade the app asks for ("blocked").
  const stop = () => {
    try { tx?.abort(); } catch { /* already done */ }
    return records;
  };
  return { meta: meta ?? Promise.resolve(null), records, stop };
}

// nimo's database, opened while the WebAssembly compiles; the app takes the
// connection if it is at the version it asks for (platform::idb), and with
// it the first read. A device without the database yet is left to the app,
// which creates it: the upgrade this open would start is cancelled.
window.nimoDb = new Promise((resolve) => {
  try {
    const req = indexedDB.open('nimo');
    // Given up when blocked: a connection that arrives later is closed.
    let given = false;
    const give = (db) => {
      if (given) db?.close();
      else {
        if (db) window.nimoFirstRead = firstRead(db);
        resolve(db);
      }
      given = true;
    };
    req.onupgradeneeded = () => req.transaction.abort();
    req.onsuccess = () => give(req.result);
    req.onerror = (e) => { e.preventDefault(); give(null); };
    req.onblocked = () => give(null);
  } catch {
    resolve(null);
  }
});

// The list of areas is only read after the app's first screen has
// painted, when the app asks for it (`window.nimoAreas()`, read by
// platform::assets): fetching and decoding it at start competed with the
// start itself. On a first visit it is fetched once the app runs, so that
// it does not share a slow line with the WebAssembly, and handed to the
// service worker; later, the worker's cache answers at once.
let areas = null;
function fetchAreas() {
  if (!areas) {
    const response = fetch('/areas.tsv');
    handed.push(response.then((r) => hand('/areas.tsv', r)));
    areas = response.then((r) => (r.ok ? r.clone().text() : null)).catch(() => null);
  }
  return areas;
}
window.nimoAreas = fetchAreas;

// A newcomer's invite link on a device nobody uses yet: the page's own join
// form, usable at once; the app takes it over when it arrives.
function showPageJoin() {
  if (!location.hash.startsWith('#/join/') || localStorage.getItem('nimo.signedIn')) return;
  const page = document.getElementById('page-join');
  if (page) {
    page.hidden = false;
    document.getElementById('loading')?.remove();
    const code = document.getElementById('pj-code');
    if (code && !code.value) {
      const raw = location.hash.slice('#/join/'.length);
      // A hand-mangled link (a broken %-escape) still shows the form.
      try { code.value = decodeURIComponent(raw); } catch { code.value = raw; }
    }
    document.getElementById('page-join-form')?.addEventListener('submit', (e) => {
      e.preventDefault();
      // Sent by the app as soon as it runs, with what was typed.
      window.nimoJoinPending = true;
      document.getElementById('pj-submit').disabled = true;
      document.getElementById('pj-wait').hidden = false;
    });
    // The server's join page holds its button until what is typed can be
    // kept for the app (a plain submit would reload the page).
    document.getElementById('pj-submit').disabled = false;
  }
}

let waiting = null;
let updateRequested = false;

function announce(worker) {
  waiting = worker;
  window.nimoUpdateReady = true;
  window.dispatchEvent(new Event('nimo:update-ready'));
}

// Called by the app's 「更新」 button: activate the waiting version, then
// reload once it controls the page. Never done without the user's tap.
window.nimoApplyUpdate = () => {
  if (!waiting) return;
  updateRequested = true;
  waiting.postMessage({ type: 'SKIP_WAITING' });
};

// Only a *new* version is an update: not the worker already controlling
// this page (WebKit reports a first install as `installed` after
// `clients.claim()` has made that same worker the controller).
function isUpdate(worker) {
  const controller = navigator.serviceWorker.controller;
  return Boolean(controller) && controller !== worker && worker.state === 'installed';
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updateRequested) location.reload();
  });
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  if (reg.waiting && isUpdate(reg.waiting)) announce(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const worker = reg.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (isUpdate(worker)) announce(worker);
    });
  });
  // Look for a new version now and then while the app stays open.
  const check = () => reg.update().catch(() => {});
  setInterval(check, 60 * 60 * 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
}

domReady.then(showPageJoin);
const { default: init } = await import('/app.js');
// The app mounts itself on <body>.
await domReady;
await init({ module_or_path: wasm });
document.getElementById('loading')?.remove();
if (firstVisit) fetchAreas();
await Promise.all(handed).catch(() => null);
registerServiceWorker().catch((e) => console.warn('service worker registration failed', e));
