// Seeds a nimo server through its own API, as another member's phone
// would: `nimo-seed` (tests/src/bin/seed.rs) joins, signs in, invites and
// pushes records with their values sealed under the group's or the
// member's keys, made and opened on that side. Used by the browser tests
// and the benchmark.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The protocol version the server speaks (`nimo_core::SCHEMA_VERSION`). */
export const SCHEMA = 3;

/** The passphrase seeded accounts get. */
export function passphraseOf(login) {
  return `${login} rides the blue ferry at dawn`;
}

const SEED = process.env.NIMO_SEED_BIN;

export class Session {
  constructor(base) {
    if (!SEED) throw new Error('NIMO_SEED_BIN is not set: run through `cargo xtask test` or `cargo xtask bench`');
    this.base = base;
    this.child = spawn(SEED, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.unref();
    this.lines = createInterface({ input: this.child.stdout });
    this.waiting = [];
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  async command(command) {
    const line = await new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${JSON.stringify(command)}\n`, (e) => e && reject(e));
    });
    const answer = JSON.parse(line);
    if ('error' in answer) throw new Error(`${command.op}: ${answer.error}`);
    return answer.ok;
  }

  /** A raw API call with this phone's session (answers sealed as stored). */
  request(method, path, body) {
    return this.command({ op: 'request', method, path, body: body ?? null });
  }

  async join(code, login) {
    this.me = await this.command({ op: 'join', base: this.base, code, login, passphrase: passphraseOf(login) });
    return this.me;
  }

  /** Signs an existing account in on this phone. */
  async login(login, passphrase = passphraseOf(login)) {
    this.me = await this.command({ op: 'login', base: this.base, login, passphrase });
    return this.me;
  }

  async invite(role = 'member') {
    return this.command({ op: 'invite', role });
  }

  /** Pushes new records, each `{collection, visibility, fields}`, sealed. */
  async create(records, batch = 500) {
    return this.command({ op: 'create', records, batch });
  }

  /** Records pulled from the server, opened with this phone's keys. */
  open(records) {
    return this.command({ op: 'open', records });
  }

  /** Fetches this phone's keys again (the group's key changed). */
  refresh() {
    return this.command({ op: 'refresh' });
  }

  /** What a hostile server does to its own database (see seed.rs). */
  tamper(database, how, ids) {
    return this.command({ op: 'tamper', database, how, ids });
  }

  /**
   * For the benchmark's comparison only: every record in the server's
   * database opened with this phone's keys and written back as it was
   * before end-to-end encryption (values as they are, no record keys).
   */
  unseal(database) {
    return this.command({ op: 'unseal', database });
  }

  close() {
    this.child.stdin.end();
  }
}

const NOTES = ['家賃が払えないと電話があった', '夜眠れないと話していた', '息子さんがひきこもっていて心配と母親から', 'デイケアに通い始めた', '退院後の住まいについて相談', '仕事をやめたいと話していた'];
const WORRIES = ['housing', 'money', 'mental_health', 'family', 'hikikomori', 'work', 'discharge', 'peers'];

export function contacts(n) {
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.now() - (i % 365) * 86400_000 + 9 * 3600_000).toISOString().slice(0, 10);
    return {
      collection: 'contact',
      visibility: i % 3 === 0 ? 'group' : 'private',
      fields: {
        at: `${day}T${String(9 + (i % 9)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
        mode: ['phone', 'in_person', 'visit', 'online'][i % 4],
        person: `${String.fromCharCode(65 + (i % 26))}さん`,
        worries: [WORRIES[i % WORRIES.length], WORRIES[(i * 7 + 3) % WORRIES.length]].filter((w, k, a) => a.indexOf(w) === k),
        note: `${NOTES[i % NOTES.length]}（${i}件目）。次回は来週。`,
        status: i % 5 === 0 ? 'closed' : 'open',
      },
    };
  });
}

const TYPES = ['municipal_welfare', 'core_consultation', 'consultation_support', 'self_reliance_support', 'housing_support', 'comprehensive_care', 'public_health_centre', 'peer_family', 'medical', 'child_family_centre'];

export function windows(n, municipalities) {
  return Array.from({ length: n }, (_, i) => {
    const code = municipalities[i % municipalities.length];
    return {
      collection: 'window',
      visibility: 'group',
      fields: {
        name: `窓口 ${i}（${code}）`,
        type: TYPES[i % TYPES.length],
        areas: [{ kind: 'municipality', code }],
        phones: [{ number: `0${(i % 90) + 10}-${String(i % 1000).padStart(3, '0')}-0000` }],
        hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:30', closes: '17:15' }],
        closed_holidays: true,
        closed_new_year: true,
        verified_on: '2026-04-01',
      },
    };
  });
}
