import { cleanup, createGroup, launchBrowser, loginThroughApp, openFresh, phone, startServer } from '/work/main/tests/browser/harness.mjs';
import { Session, contacts } from '/work/main/bench/seed.mjs';
const browser = await launchBrowser();
const server = await startServer({ assets: process.env.NIMO_BENCH_DIST });
try {
  const seed = new Session(server.url);
  await seed.join(await createGroup(server, 'ベンチ家族会'), 'benchuser');
  await seed.create(contacts(10_000));
  const device = await phone(browser);
  const fresh = await openFresh(device, server);
  const dcdp = await device.newCDPSession(fresh);
  await dcdp.send('Network.enable');
  const ev = [];
  const ids = new Set();
  dcdp.on('Network.requestWillBeSent', (e) => { if (e.request.url.includes('/api/sync/pull')) { ids.add(e.requestId); ev.push(['send', e.timestamp]); } });
  dcdp.on('Network.responseReceived', (e) => { if (ids.has(e.requestId)) ev.push(['resp', e.timestamp]); });
  dcdp.on('Network.loadingFinished', (e) => { if (ids.has(e.requestId)) ev.push(['done', e.timestamp, e.encodedDataLength]); });
  await dcdp.send('Profiler.enable'); await dcdp.send('Profiler.setSamplingInterval',{interval:200}); await dcdp.send('Profiler.start');
  const w0 = Date.now();
  await loginThroughApp(fresh, 'benchuser', 'benchuser bench passphrase');
  await fresh.waitForFunction(() => document.querySelectorAll('[data-testid="contact-list"] li').length >= 50, null, { timeout: 120_000, polling: 'raf' });
  const { profile } = await dcdp.send('Profiler.stop');
  const self = new Map(); const byId = new Map(profile.nodes.map(n=>[n.id,n]));
  const dt = profile.timeDeltas; const counts = new Map();
  profile.samples.forEach((id,i)=>counts.set(id,(counts.get(id)||0)+(dt[i]||0)));
  for (const [id,us] of counts) { const n=byId.get(id); const k=(n.callFrame.functionName||'(anon)')+' '+n.callFrame.url.split('/').pop(); self.set(k,(self.get(k)||0)+us); }
  const top=[...self].sort((a,b)=>b[1]-a[1]).slice(0,40);
  for (const [k,us] of top) console.log((us/1000).toFixed(1).padStart(8),'ms',k);
  const t0 = ev[0][1];
  for (const e of ev) console.log(e[0], ((e[1] - t0) * 1000).toFixed(0), e[2] ?? '');
  console.log('list shown after last done', Date.now() - w0);
} finally { await server.stop(); await cleanup(server.dir); await browser.close(); }
