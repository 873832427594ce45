// Starts the app and registers the service worker. Kept in its own file
// because the Content-Security-Policy forbids inline script.
import init from '/app.js';

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

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updateRequested) location.reload();
  });
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  if (reg.waiting && navigator.serviceWorker.controller) announce(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const worker = reg.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      // Only an *update* waits: the first install has no controller yet.
      if (worker.state === 'installed' && navigator.serviceWorker.controller) announce(worker);
    });
  });
  // Look for a new version now and then while the app stays open.
  const check = () => reg.update().catch(() => {});
  setInterval(check, 60 * 60 * 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
}

await init({ module_or_path: '/app.wasm' });
document.getElementById('loading')?.remove();
registerServiceWorker().catch((e) => console.warn('service worker registration failed', e));
