// nimo for real: the one file `cargo xtask dist` makes, alone in a folder,
// started with README's commands as written, gets its certificate from an
// ACME CA (Debian's pebble, Let's Encrypt's test CA, with a real HTTP-01
// check through pebble-challtestsrv's DNS) and serves the whole app over
// HTTPS. Chromium, trusting that CA, makes a first visit: the service
// worker installs, a contact is saved offline and sent; the certificate
// (45 seconds long here) is renewed while the server runs; plain HTTP is
// sent to https.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, cleanup, joinThroughApp, tempDir, waitForServiceWorker } from './harness.mjs';

const run = promisify(execFile);
const BINARY = process.env.NIMO_DIST_BIN;
const DOMAIN = 'nimo.example.org';

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child in its own process group, its output kept; `stop()` ends the group. */
function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const proc = { child, out: '' };
  child.stdout.on('data', (d) => { proc.out += d; });
  child.stderr.on('data', (d) => { proc.out += d; });
  // The whole group: a server README's block started with `&` outlives
  // the shell that started it.
  proc.stop = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 200; i++) {
      try { process.kill(-child.pid, 0); } catch { return; }
      await new Promise((r) => setTimeout(r, 50));
    }
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  proc.waitFor = async (pattern, ms = 30_000) => {
    const until = Date.now() + ms;
    while (!pattern.test(proc.out)) {
      if (Date.now() > until) throw new Error(`${cmd} did not print ${pattern} in ${ms} ms:\n${proc.out}`);
      if (child.exitCode !== null) throw new Error(`${cmd} exited (${child.exitCode}):\n${proc.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return proc;
}

/** README's block marked as run by this test. */
async function readmeBlock() {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const marker = readme.indexOf('tests/browser/https.test.mjs runs this block');
  assert.ok(marker > 0, 'README marks the block this test runs');
  const open = readme.indexOf('```sh\n', marker) + '```sh\n'.length;
  return readme.slice(open, readme.indexOf('```', open));
}

/** The serial of the certificate served at `port` for the domain. */
function servedSerial(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: DOMAIN, ca }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

describe('the one file, over HTTPS by ACME', () => {
  let dir;
  let home;
  let pebble;
  let dns;
  let server;
  let context;
  let env;
  let httpsPort;
  let httpPort;
  let roots;
  before(async () => {
    assert.ok(BINARY, 'NIMO_DIST_BIN names the binary `cargo xtask dist` made');
    dir = await tempDir();
    home = await tempDir();
    const pki = path.join(dir, '..', `${path.basename(dir)}-pebble`);
    await mkdir(pki, { recursive: true });
    const [dirPort, mgmtPort, dnsPort] = [await freePort(), await freePort(), await freePort()];
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    // pebble's own HTTPS (its directory) under a certificate from a CA
    // made here (rustls takes no self-signed certificate as a server's).
    const f = (n) => path.join(pki, n);
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=pebble test CA', '-keyout', f('ca-key.pem'), '-out', f('ca.pem')]);
    await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', f('key.pem'), '-out', f('req.pem')]);
    await writeFile(f('ext.cnf'), 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await run('openssl', ['x509', '-req', '-in', f('req.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('cert.pem')]);
    await writeFile(path.join(pki, 'pebble.json'), JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${dirPort}`, managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: path.join(pki, 'cert.pem'), privateKey: path.join(pki, 'key.pem'),
        httpPort, tlsPort: await freePort(), ocspResponderURL: '', externalAccountBindingRequired: false,
        certificateValidityPeriod: 45,
      },
    }));
    // The CA looks the domain up here: every name is 127.0.0.1.
    dns = start('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${await freePort()}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '']);
    pebble = start('pebble', ['-config', path.join(pki, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], { env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' } });
    await pebble.waitFor(/Listening on/);
    const pebbleCa = await readFile(path.join(pki, 'ca.pem'));
    // The folder holds the two files `cargo xtask dist` wrote, nothing else.
    const name = path.basename(BINARY);
    await copyFile(BINARY, path.join(dir, name));
    await copyFile(`${BINARY}.sha256`, path.join(dir, `${name}.sha256`));
    // README's flags as written; where this test's CA and ports differ
    // from a real host, the environment variables every flag has.
    env = {
      ...process.env,
      NIMO_LISTEN: `127.0.0.1:${httpsPort}`, NIMO_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
      NIMO_ACME_DIRECTORY: `https://127.0.0.1:${dirPort}/dir`, NIMO_ACME_CA: path.join(pki, 'ca.pem'), NIMO_LOG: 'info',
    };
    server = start('bash', ['-e', '-c', await readmeBlock()], { cwd: dir, env });
    await server.waitFor(/valid until/, 60_000);
    roots = await new Promise((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: mgmtPort, path: '/roots/0', ca: pebbleCa }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
    // Chromium trusts the test CA through NSS in a home of its own.
    const nss = path.join(home, '.pki', 'nssdb');
    await mkdir(nss, { recursive: true });
    await writeFile(path.join(home, 'roots.pem'), roots);
    await run('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
    await run('certutil', ['-d', `sql:${nss}`, '-A', '-t', 'C,,', '-n', 'pebble', '-i', path.join(home, 'roots.pem')]);
    context = await chromium.launchPersistentContext(path.join(home, 'profile'), {
      executablePath: CHROMIUM, headless: true, env: { ...process.env, HOME: home },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`],
      viewport: { width: 360, height: 740 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', isMobile: true, hasTouch: true,
    });
  });
  after(async () => {
    await context?.close();
    for (const p of [server, pebble, dns]) await p?.stop();
    await cleanup(dir, home, dir && path.join(dir, '..', `${path.basename(dir)}-pebble`));
  });

  test('README\'s commands, run as written, serve the whole app from the one file over HTTPS', async () => {
    assert.match(server.out, /nimo-server-x86_64-linux: OK/, 'the checksum is checked');
    assert.match(server.out, /code: \S+/, 'create-group prints the invite');
    assert.match(server.out, /nimo listening on https:\/\//);
    assert.match(server.out, /証明書 \/ certificate: valid until/);
    const { readdir } = await import('node:fs/promises');
    assert.ok(!(await readdir(dir)).includes('dist'), 'no dist/ beside the binary');
  });

  test('a first visit over HTTPS installs the service worker; a contact saved offline is sent', async () => {
    const code = server.out.match(/code: (\S+)/)[1];
    const origin = `https://${DOMAIN}:${httpsPort}`;
    const page = context.pages()[0] ?? await context.newPage();
    // The code after `#`: a fragment never reaches the server.
    await page.goto(`${origin}/join#${code}`);
    await page.getByTestId('join-login').waitFor();
    await joinThroughApp(page, code, 'tlsmember');
    await waitForServiceWorker(page);
    // Offline: the server stops; the app opens from the service worker.
    await server.stop();
    await page.reload();
    await page.locator('nav.tabbar').waitFor();
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill('HTTPSの上でオフライン保存');
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();
    await page.getByTestId('unsent-badge').waitFor();
    // Back: the same command again, in the same folder (the certificate is kept).
    server = start('./nimo-server', ['serve', '--acme-domain', DOMAIN, '--acme-email', 'you@example.org'], { cwd: dir, env });
    await server.waitFor(/nimo listening on https/);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 30_000 });
    assert.match(server.out, /using the kept certificate|new certificate in use/);
  });

  test('plain HTTP goes to https; the certificate is renewed while the server runs', async () => {
    const redirect = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: httpPort, path: '/records?x=1', headers: { host: DOMAIN } }, (res) => resolve(res)).on('error', reject);
    });
    assert.equal(redirect.statusCode, 308);
    assert.equal(redirect.headers.location, `https://${DOMAIN}:${httpsPort}/records?x=1`);
    const first = await servedSerial(httpsPort, roots);
    const until = Date.now() + 90_000;
    let now = first;
    while (now === first && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      now = await servedSerial(httpsPort, roots);
    }
    assert.notEqual(now, first, 'a new certificate is served without a restart');
    const health = await new Promise((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: httpsPort, path: '/api/health', servername: DOMAIN, ca: roots }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(JSON.parse(body)));
      }).on('error', reject);
    });
    assert.ok(health.certificate_expires_ms > Date.now(), 'the health page says when it ends');
    assert.equal(health.certificate_failed, undefined);
  });
});
