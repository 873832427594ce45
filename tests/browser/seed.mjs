// Seeds a nimo server through its own API: a signed-in HTTP session, and
// pushes of generated records (UUIDv7 ids, HLC stamps) in batches. Used by
// the browser tests and the benchmark.
import { randomBytes } from 'node:crypto';

/** The protocol version the server speaks (`nimo_core::SCHEMA_VERSION`). */
export const SCHEMA = 2;

/** The passphrase seeded accounts get. */
export function passphraseOf(login) {
  return `${login} rides the blue ferry at dawn`;
}

export class Session {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.client = randomBytes(8).toString('hex');
    this.seq = 1;
    this.counter = 0;
  }

  async request(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  }

  async join(code, login) {
    this.me = await this.request('POST', '/api/join', { code, login, display_name: login, passphrase: passphraseOf(login), device_name: 'seed' });
    return this.me;
  }

  /** Signs in an existing account as one more device. */
  async login(login, passphrase = passphraseOf(login)) {
    this.me = await this.request('POST', '/api/auth/login', { login, passphrase, device_name: 'seed' });
    return this.me;
  }

  async invite(role = 'member') {
    const group = this.me.groups[0].id;
    return (await this.request('POST', `/api/groups/${group}/invites`, { role, days: 1, max_uses: 1 })).code;
  }

  /** A UUIDv7 for `ms`. */
  id(ms) {
    const hex = ms.toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** An HLC stamp: 12 hex of ms, 4 of counter, 16 of client. */
  stamp(ms) {
    this.counter = (this.counter + 1) % 65536;
    return ms.toString(16).padStart(12, '0') + this.counter.toString(16).padStart(4, '0') + this.client;
  }

  /** Pushes records: each `{collection, visibility, fields}`. */
  async create(records, batch = 500) {
    const group = this.me.groups[0].id;
    for (let i = 0; i < records.length; i += batch) {
      const mutations = records.slice(i, i + batch).map((r, j) => {
        const ms = Date.now() - 86400_000 + i + j;
        const t = this.stamp(ms);
        return {
          seq: this.seq++,
          id: this.id(ms),
          collection: r.collection,
          group,
          op: { kind: 'put', visibility: { v: r.visibility, t }, fields: Object.entries(r.fields).map(([field, v]) => ({ field, v, t })) },
        };
      });
      const res = await this.request('POST', '/api/sync/push', { schema: SCHEMA, client: this.client, epoch: null, mutations });
      const rejected = res.acks.filter((a) => a.result.kind === 'rejected');
      if (rejected.length) throw new Error(`rejected: ${JSON.stringify(rejected[0])}`);
    }
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
