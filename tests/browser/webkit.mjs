// WebKit for the browser tests: Debian's WebKitGTK (MiniBrowser) driven by
// its W3C WebDriver (`WebKitWebDriver`) under Xvfb. Every iPhone browser is
// WebKit; this is the closest engine that runs here.
//
// A small client of our own rather than an npm WebDriver package: the tests
// need a dozen commands (a session, navigation, elements, clicks, typing,
// scripts), all of them plain HTTP and JSON on loopback, and the driver's
// known limits are easier to handle in one place: one session per
// `WebKitWebDriver` process (two phones are two processes), a window at
// least 447 px wide, clicks that need the element scrolled into view, and
// screenshots of a background tab that never return (so none are taken).

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const MINIBROWSER = process.env.NIMO_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = process.env.NIMO_WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';

let display = null;

/** One Xvfb for the whole test process, started on first use. */
async function xvfb() {
  if (display) return display;
  display = await new Promise((resolve, reject) => {
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 10_000);
    child.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        // Neither the child nor its pipe may keep the test process alive.
        child.stdio[3].unref();
        resolve(`:${out.trim()}`);
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code})`)); });
    child.unref();
    process.on('exit', () => child.kill());
  });
  return display;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebKitPhone {
  /** A fresh WebKit "phone": its own driver, browser and (empty) storage. */
  static async launch() {
    const phone = new WebKitPhone();
    const port = await freePort();
    phone.driver = spawn(DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: await xvfb() }, stdio: 'ignore' });
    phone.base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`${phone.base}/status`);
        if (r.ok) break;
      } catch {
        if (i > 100) throw new Error('WebKitWebDriver did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const answer = await phone.command('POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
    });
    phone.session = answer.sessionId;
    // The narrowest window MiniBrowser allows; the app is laid out for phones.
    await phone.command('POST', `/session/${phone.session}/window/rect`, { width: 447, height: 900 });
    return phone;
  }

  async command(method, path, body) {
    const r = await fetch(`${this.base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async goto(url) {
    await this.command('POST', this.s('/url'), { url });
  }

  async reload() {
    await this.command('POST', this.s('/refresh'), {});
  }

  async url() {
    return this.command('GET', this.s('/url'));
  }

  /** Runs `script` (a function body) in the page with `args`. */
  async eval(script, ...args) {
    return this.command('POST', this.s('/execute/sync'), { script, args });
  }

  /** Runs an async function body; its result is what it returns. */
  async evalAsync(script, ...args) {
    const wrapped = `const done = arguments[arguments.length - 1]; (async () => { ${script} })(...Array.from(arguments).slice(0, -1)).then(done, (e) => done({ __error: String(e) }));`;
    const value = await this.command('POST', this.s('/execute/async'), { script: wrapped, args });
    if (value && value.__error) throw new Error(value.__error);
    return value;
  }

  /** Waits until `script` returns something truthy. */
  async waitFor(script, { timeout = 20_000, args = [], what = script } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      let value;
      try {
        value = await this.eval(script, ...args);
      } catch {
        value = null; // a navigation in progress
      }
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async waitForSelector(css, options = {}) {
    return this.waitFor('return !!document.querySelector(arguments[0])', { ...options, args: [css], what: css });
  }

  async find(css) {
    await this.waitForSelector(css);
    const el = await this.command('POST', this.s('/element'), { using: 'css selector', value: css });
    return el[ELEMENT];
  }

  /** Clicks as a person would, after scrolling the element into view. */
  async click(css) {
    const id = await this.find(css);
    await this.eval('document.querySelector(arguments[0]).scrollIntoView({ block: "center" })', css);
    await this.command('POST', this.s(`/element/${id}/click`), {});
  }

  /** Types into a field (replacing what is there). */
  async type(css, text) {
    const id = await this.find(css);
    await this.eval('document.querySelector(arguments[0]).scrollIntoView({ block: "center" })', css);
    await this.command('POST', this.s(`/element/${id}/clear`), {});
    await this.command('POST', this.s(`/element/${id}/value`), { text });
  }

  /** Sets a date or time input (typing into those is not portable). */
  async setValue(css, value) {
    await this.find(css);
    await this.eval(
      'const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("input", { bubbles: true }));',
      css,
      value,
    );
  }

  async text(css) {
    await this.waitForSelector(css);
    return this.eval('return document.querySelector(arguments[0]).textContent', css);
  }

  async waitForText(css, pattern, options = {}) {
    return this.waitFor('const el = document.querySelector(arguments[0]); return !!el && new RegExp(arguments[1]).test(el.textContent);', {
      ...options,
      args: [css, pattern.source ?? pattern],
      what: `${css} ~ ${pattern}`,
    });
  }

  async close() {
    try {
      await this.command('DELETE', this.s(''));
    } catch {
      // the browser may already be gone
    }
    this.driver.kill();
  }
}
