// Starts the app and registers the service worker. Kept in its own file
// because the Content-Security-Policy forbids inline script.

// The app's data files, under the names the build gives them.
window.nimoAreasUrl = '/areas.tsv';

// The WebAssembly is fetched once, here, while the module loads: no
// <link rel="preload">, which WebKit does not reuse for this fetch.
const wasm = fetch('/app.wasm');

// A newcomer's invite link on a device nobody uses yet: the page's own join
// form, usable at once; the app takes it over when it arrives.
if (location.hash.startsWith('#/join/') && !localStorage.getItem('nimo.signedIn')) {
  const page = document.getElementById('page-join');
  if (page) {
    page.hidden = false;
    document.getElementById('loading')?.remove();
    const code = document.getElementById('pj-code');
    if (code && !code.value) code.value = decodeURIComponent(location.hash.slice('#/join/'.length));
    document.getElementById('page-join-form')?.addEventListener('submit', (e) => {
      e.preventDefault();
      // Sent by the app as soon as it runs, with what was typed.
      window.nimoJoinPending = true;
      document.getElementById('pj-submit').disabled = true;
      document.getElementById('pj-wait').hidden = false;
    });
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

const { default: init } = await import('/app.js');
await init({ module_or_path: wasm });
document.getElementById('loading')?.remove();
registerServiceWorker().catch((e) => console.warn('service worker registration failed', e));
