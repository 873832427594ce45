//! What a phone does with its keys, over HTTP against any nimo server
//! (the tests' own, or one `nimo-load` and `nimo-soak` are pointed at):
//! join, sign in, invite, and seal what it sends — the steps of
//! `nimo_core::crypto::account`, as the app's key module runs them.

use nimo_core::api::{EpochEnvelope, InviteOpen, InviteOpened, InviteRequest, JoinRequest, KdfParams, KeysInfo, LoginRequest, Me};
use nimo_core::crypto::keyring::Keyring;
use nimo_core::crypto::{Key, Random, account, kdf};
use nimo_core::sync::collection::{Role, Visibility};
use nimo_core::sync::ids::GroupId;
use nimo_core::sync::protocol::{Mutation, Op};

/// A signed-in device and the keys it holds.
pub struct Phone {
    pub client: reqwest::Client,
    pub me: Me,
    pub ring: Keyring,
    /// The recovery key shown when the account was made.
    pub recovery: Option<Key>,
    /// The group's recovery key, when this phone made the group's key.
    pub group_recovery: Option<Key>,
}

/// The operating system's randomness, for the keys the tests make.
pub fn rng() -> impl Random {
    |out: &mut [u8]| {
        use std::io::Read;
        std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(out)).expect("/dev/urandom");
    }
}

fn code_of(code: &str) -> String {
    nimo_core::api::normalize_invite_code(code).expect("an invite code")
}

/// What an invite code leads to, and the keys the code gives.
pub async fn open_invite(base: &str, client: &reqwest::Client, code: &str) -> (InviteOpened, kdf::InviteKeys) {
    let keys = kdf::invite(&code_of(code)).expect("Argon2id");
    let r = client.post(format!("{base}/api/invites/open")).json(&InviteOpen { lookup: keys.lookup.clone() }).send().await.expect("open the invite");
    assert_eq!(r.status(), 200, "open the invite: {}", r.text().await.unwrap_or_default());
    (r.json().await.expect("the invite"), keys)
}

/// The join request a phone makes for `code`: a new account, and the
/// group's key sealed to it (or the group's first key); with the new keys
/// and, for a group's first key, its recovery key.
pub async fn join_request(base: &str, client: &reqwest::Client, code: &str, login: &str, passphrase: &str) -> (JoinRequest, account::NewKeys, Option<Key>) {
    let (opened, invite) = open_invite(base, client, code).await;
    let wrap = invite.wrap;
    let made = account::new_account(&rng(), login, &format!("{login}さん"), passphrase).expect("a new account");
    let (mut envelope, mut group_key, mut group_recovery) = (None, None, None);
    match (&opened.key, opened.group_has_key) {
        (Some(ik), _) => {
            let key = account::open_invite_key(&wrap, ik).expect("the invite's key opens with its code");
            envelope = Some(EpochEnvelope { epoch: ik.epoch, envelope: account::envelope_for(&rng(), &made.account.public_key, &opened.group, ik.epoch, &key).expect("an envelope") });
        }
        (None, false) => {
            let first = account::first_group_key(&rng(), &opened.group, &made.account.public_key).expect("a group key");
            group_key = Some(first.init);
            group_recovery = Some(first.recovery);
        }
        (None, true) => {}
    }
    let request = JoinRequest { lookup: invite.lookup, account: made.account.clone(), envelope, group_key, device_name: "test phone".into(), bearer: false };
    (request, made, group_recovery)
}

/// Joins with an invite on `client` (a new device).
pub async fn join(base: &str, client: reqwest::Client, code: &str, login: &str, passphrase: &str) -> Phone {
    let (request, made, group_recovery) = join_request(base, &client, code, login, passphrase).await;
    let response = client.post(format!("{base}/api/join")).json(&request).send().await.expect("join");
    assert_eq!(response.status(), 200, "join as {login}: {}", response.text().await.unwrap_or_default());
    let me: Me = response.json().await.expect("me");
    let ring = keyring(base, &client, &me, &made.secret).await;
    Phone { client, me, ring, recovery: Some(made.recovery), group_recovery }
}

pub async fn kdf_of(base: &str, login: &str) -> KdfParams {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    client.get(format!("{base}/api/auth/params?login={login}")).send().await.expect("params").json().await.expect("params body")
}

/// Signs in on `client` (a new device).
pub async fn login(base: &str, client: reqwest::Client, login: &str, passphrase: &str) -> Phone {
    let keys = passphrase_keys(base, login, passphrase).await;
    login_with_keys(base, client, login, &keys).await
}

/// The passphrase's keys for `login` (slow: a tool signing one account in
/// on many devices derives them once).
pub async fn passphrase_keys(base: &str, login: &str, passphrase: &str) -> kdf::PassphraseKeys {
    account::passphrase_keys(passphrase, &kdf_of(base, login).await).expect("Argon2id")
}

/// Signs in with keys already derived.
pub async fn login_with_keys(base: &str, client: reqwest::Client, login: &str, keys: &kdf::PassphraseKeys) -> Phone {
    let request = LoginRequest { login: login.to_owned(), auth: nimo_core::crypto::b64(keys.auth.bytes()), device_name: "test device".into(), bearer: false };
    let response = client.post(format!("{base}/api/auth/login")).json(&request).send().await.expect("login");
    assert_eq!(response.status(), 200, "login as {login}");
    let me: Me = response.json().await.expect("me");
    let secret = account::open_secret(&keys.wrap, me.keys.as_ref().expect("a sign-in answers with the account's keys")).expect("the account's key opens");
    let ring = keyring(base, &client, &me, &secret).await;
    Phone { client, me, ring, recovery: None, group_recovery: None }
}

/// The keyring from the server's `GET /api/keys`.
pub async fn keyring(base: &str, client: &reqwest::Client, me: &Me, secret: &Key) -> Keyring {
    let info: KeysInfo = client.get(format!("{base}/api/keys")).send().await.expect("keys").json().await.expect("GET /api/keys");
    let (ring, problems) = account::keyring(&me.user, secret, &info).expect("the keys open");
    assert!(problems.is_empty(), "{problems:?}");
    ring
}

/// The invite request a coordinator's device makes: a new code, and the
/// group's current key wrapped by it.
pub fn invite_request(ring: &Keyring, group: &GroupId, role: Role) -> (InviteRequest, String) {
    let code = account::new_invite_code(&rng());
    let keys = kdf::invite(&code).expect("Argon2id");
    let epoch = ring.current_epoch(group).expect("the coordinator holds the group's key");
    let key = account::invite_key(&rng(), &keys.wrap, group, epoch, &ring.epoch_key(group, epoch).expect("the key"));
    (InviteRequest { role, days: 7, max_uses: 1, lookup: keys.lookup, key, readmit: None }, code)
}

/// Invites someone into `phone`'s first group; returns the code.
pub async fn invite(base: &str, phone: &Phone, role: Role) -> String {
    let group = phone.me.groups[0].id.clone();
    let (request, code) = invite_request(&phone.ring, &group, role);
    let r = phone.client.post(format!("{base}/api/groups/{group}/invites")).json(&request).send().await.expect("invite");
    assert_eq!(r.status(), 201, "invite");
    code
}

/// A mutation with its values sealed for a record of `visibility`, as a
/// device sends a change made to it (a new record key each time: what
/// a device does for a record it has not seen).
pub fn seal(ring: &Keyring, mut m: Mutation, visibility: Visibility) -> Mutation {
    let Op::Put { visibility: v, fields } = &mut m.op else { return m };
    let Some(t) = fields.iter().map(|w| w.t).chain(v.iter().map(|v| v.t)).max() else { return m };
    let keys = match ring.seal_change(&rng(), m.collection, &m.id, &m.group, None, visibility, false, fields, t) {
        Ok(keys) => keys,
        // A group this phone has no key of (a test of writing where one may
        // not): sealed under a key of its own making, as a hostile device
        // could, so that the server's other checks are what refuse it.
        Err(_) => {
            let mut forged = Keyring::new(ring.user.clone(), ring.secret().clone());
            forged.add_epoch(&m.group, 1, Key::random(&rng()));
            forged.seal_change(&rng(), m.collection, &m.id, &m.group, None, visibility, false, fields, t).expect("a forged key seals")
        }
    };
    fields.splice(0..0, keys);
    m
}
