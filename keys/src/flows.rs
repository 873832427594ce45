//! The account and key steps, each a few calls to the server with the
//! keys made or opened between them (`nimo_core::crypto::account`): the
//! passphrase, an invite code, a recovery key and every key that opens
//! records stay on the phone; the server gets derived values and sealed
//! keys. Each answers the app with JSON text: the signed-in user (`me`),
//! the keyring to keep, what must be written down (`keep`).

use nimo_core::api::{
    EpochEnvelope, GroupKeysInfo, GroupRecovery, InviteCreated, InviteOpen, InviteOpened, InviteRequest, JoinGroupRequest, JoinRequest, KdfParams, KeysInfo, LoginRequest,
    Me, MemberInfo, OwnEnvelope, PassphraseChange, RecoverRequest, RecoveryKeys, RecoveryRequest, SetupRequest, normalize_invite_code,
};
use nimo_core::crypto::keyring::Keyring;
use nimo_core::crypto::{Key, account as acc, b64, kdf};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{GroupId, UserId};
use nimo_core::sync::wire::Wire;
use serde_json::Value;

use crate::http::{self, Failure};
use crate::rng;

type Step<T> = Result<T, Failure>;

fn print(v: &Value) -> String {
    nimo_core::base::json::print_value(v)
}

fn keyring_of(json: &str) -> Step<Keyring> {
    Keyring::from_value(&nimo_core::base::json::parse(json).map_err(|e| Failure::Failed(e.to_string()))?).map_err(Failure::from)
}

fn group_of(id: &str) -> Step<GroupId> {
    GroupId::parse(id).map_err(|e| Failure::Failed(e.to_string()))
}

/// The session a step goes on with: the bearer token the app handed over,
/// or the one a sign-in just answered with (the lock is on).
fn session<'a>(bearer: Option<&'a str>, me: &'a Me) -> Option<&'a str> {
    me.session_token.as_deref().or(bearer)
}

/// What the server keeps for the user, opened with their private half;
/// offline (the sign-in answered, the keys did not), the private half
/// alone: the groups' keys come with the app's next refresh.
async fn keyring_for(bearer: Option<&str>, me: &Me, secret: &Key) -> Step<Keyring> {
    match http::call_as::<KeysInfo>(session(bearer, me), "GET", "/api/keys", None).await {
        Ok(info) => Ok(acc::keyring(&me.user, secret, &info)?.0),
        Err(Failure::Offline(_)) => Ok(Keyring::new(me.user.clone(), secret.clone())),
        Err(e) => Err(e),
    }
}

/// What must be written down, once.
struct Keep {
    recovery: Option<Key>,
    group: Option<(String, Key)>,
}

fn answer(me: Option<&Me>, ring: &Keyring, keep: Option<Keep>) -> String {
    let keep = keep.map_or(Value::Null, |k| {
        nimo_core::object! {
            "recovery": k.recovery.as_ref().map_or(Value::Null, |r| Value::String(acc::key_text(r))),
            "group": k.group.map_or(Value::Null, |(name, key)| nimo_core::object! { "name": name, "key": acc::key_text(&key) }),
        }
    });
    print(&nimo_core::object! {
        "me": me.map_or(Value::Null, Wire::to_wire),
        "keyring": ring.to_value(),
        "keep": keep,
    })
}

/// Signs in: the passphrase's keys made here, only the auth key sent.
pub async fn sign_in(login: &str, passphrase: &str, device_name: &str, bearer: bool) -> Step<String> {
    let kdf: KdfParams = http::call_as(None, "GET", &format!("/api/auth/params?login={}", encode(login)), None).await?;
    let keys = acc::passphrase_keys(passphrase, &kdf)?;
    let request = LoginRequest { login: login.to_owned(), auth: b64(keys.auth.bytes()), device_name: device_name.to_owned(), bearer };
    let me: Me = http::call_as(None, "POST", "/api/auth/login", Some(&request)).await?;
    let account = me.keys.clone().ok_or_else(|| Failure::Failed("no account keys".into()))?;
    let secret = acc::open_secret(&keys.wrap, &account)?;
    let ring = keyring_for(None, &me, &secret).await?;
    Ok(answer(Some(&me), &ring, None))
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// An invite opened by its code (stretched as a passphrase is, so that
/// the server cannot try codes): what it leads to, and the code's keys.
async fn open_invite(code: &str) -> Step<(InviteOpened, kdf::InviteKeys)> {
    let code = normalize_invite_code(code).ok_or_else(|| Failure::Api { status: 400, body: nimo_core::object! { "error": "invalid_field", "field": "code", "message": "an invite code" } })?;
    let keys = kdf::invite(&code)?;
    let opened = http::call_as(None, "POST", "/api/invites/open", Some(&InviteOpen { lookup: keys.lookup.clone() })).await?;
    Ok((opened, keys))
}

/// The group's key for a new member: their envelope of it (from the
/// invite), or the group's first key (a group without one), with that
/// key's recovery key to write down.
fn group_keys_for(opened: &InviteOpened, wrap: &Key, public_key: &str) -> Step<(Option<EpochEnvelope>, Option<nimo_core::api::GroupKeyInit>, Option<(String, Key)>)> {
    match (&opened.key, opened.group_has_key) {
        (Some(ik), _) => {
            let key = acc::open_invite_key(wrap, ik)?;
            Ok((Some(EpochEnvelope { epoch: ik.epoch, envelope: acc::envelope_for(&rng(), public_key, &opened.group, ik.epoch, &key)? }), None, None))
        }
        (None, false) => {
            let first = acc::first_group_key(&rng(), &opened.group, public_key)?;
            Ok((None, Some(first.init), Some((opened.group_name.clone(), first.recovery))))
        }
        // An invite the server's operator made for a group with a key: the
        // group's recovery key gives it, after joining (`recover_group`).
        (None, true) => Ok((None, None, None)),
    }
}

/// Joins with an invite: a new account (or a re-admitted one's new keys).
pub async fn join(code: &str, login: &str, display_name: &str, passphrase: &str, device_name: &str, bearer: bool) -> Step<String> {
    let (opened, invite) = open_invite(code).await?;
    let login = opened.readmit_login.clone().unwrap_or_else(|| login.to_owned());
    let made = acc::new_account(&rng(), &login, display_name, passphrase)?;
    let (envelope, group_key, group) = group_keys_for(&opened, &invite.wrap, &made.account.public_key)?;
    let request = JoinRequest { lookup: invite.lookup, account: made.account, envelope, group_key, device_name: device_name.to_owned(), bearer };
    let me: Me = http::call_as(None, "POST", "/api/join", Some(&request)).await?;
    let ring = keyring_for(None, &me, &made.secret).await?;
    Ok(answer(Some(&me), &ring, Some(Keep { recovery: Some(made.recovery), group })))
}

/// The first run: the first group, its first key and its coordinator.
pub async fn setup(token: &str, group_name: &str, login: &str, display_name: &str, passphrase: &str, device_name: &str, bearer: bool) -> Step<String> {
    let made = acc::new_account(&rng(), login, display_name, passphrase)?;
    let mut random = [0u8; 10];
    nimo_core::crypto::Random::fill(&rng(), &mut random);
    let group = GroupId::new_v7(js_sys::Date::now() as u64, random);
    let first = acc::first_group_key(&rng(), &group, &made.account.public_key)?;
    let request = SetupRequest { token: token.to_owned(), group, group_name: group_name.to_owned(), account: made.account, group_key: first.init, device_name: device_name.to_owned(), bearer };
    let me: Me = http::call_as(None, "POST", "/api/setup", Some(&request)).await?;
    let ring = keyring_for(None, &me, &made.secret).await?;
    Ok(answer(Some(&me), &ring, Some(Keep { recovery: Some(made.recovery), group: Some((group_name.to_owned(), first.recovery)) })))
}

/// A forgotten passphrase: the recovery key opens the private half here,
/// a new passphrase wraps it. Private records stay readable.
pub async fn recover(login: &str, recovery: &str, new: &str, device_name: &str, bearer: bool) -> Step<String> {
    let key = acc::key_from_text(recovery).map_err(|_| Failure::Recovery)?;
    let recovery_auth = acc::recovery_auth(&key);
    let keys: RecoveryKeys = match http::call_as(None, "POST", "/api/auth/recovery", Some(&RecoveryRequest { login: login.to_owned(), recovery_auth: recovery_auth.clone() })).await {
        Err(Failure::Api { status: 401, .. }) => return Err(Failure::Recovery),
        other => other?,
    };
    let secret = acc::open_secret_with_recovery(&key, &keys).map_err(|_| Failure::Recovery)?;
    let made = acc::new_passphrase(&rng(), &secret, new)?;
    let request = RecoverRequest {
        login: login.to_owned(),
        recovery_auth,
        kdf: made.kdf,
        auth: made.auth,
        wrapped_secret: made.wrapped_secret,
        device_name: device_name.to_owned(),
        bearer,
    };
    let me: Me = http::call_as(None, "POST", "/api/auth/recover", Some(&request)).await?;
    let ring = keyring_for(None, &me, &secret).await?;
    Ok(answer(Some(&me), &ring, None))
}

/// A new passphrase: the current one proven by its auth key, the private
/// half wrapped anew.
pub async fn change_passphrase(bearer: Option<&str>, keyring: &str, login: &str, current: &str, new: &str) -> Step<String> {
    let ring = keyring_of(keyring)?;
    let kdf: KdfParams = http::call_as(bearer, "GET", &format!("/api/auth/params?login={}", encode(login)), None).await?;
    let current_auth = b64(acc::passphrase_keys(current, &kdf)?.auth.bytes());
    let made = acc::new_passphrase(&rng(), ring.secret(), new)?;
    let change = PassphraseChange { current_auth, kdf: made.kdf, auth: made.auth, wrapped_secret: made.wrapped_secret };
    http::call(bearer, "PUT", "/api/auth/passphrase", Some(&change.to_wire())).await?;
    Ok(String::new())
}

/// Joins another group with the signed-in account.
pub async fn join_group(bearer: Option<&str>, keyring: &str, code: &str) -> Step<String> {
    let ring = keyring_of(keyring)?;
    let (opened, invite) = open_invite(code).await?;
    let public = acc::public_key(ring.secret());
    let (envelope, group_key, group) = group_keys_for(&opened, &invite.wrap, &public)?;
    let me: Me = http::call_as(bearer, "POST", "/api/groups/join", Some(&JoinGroupRequest { lookup: invite.lookup, envelope, group_key })).await?;
    let ring = keyring_for(bearer, &me, ring.secret()).await?;
    Ok(answer(Some(&me), &ring, group.map(|g| Keep { recovery: None, group: Some(g) })))
}

/// An invite made here: its code never reaches the server, which gets the
/// code's slow derivation and the group's key wrapped by the code's key.
pub async fn create_invite(bearer: Option<&str>, keyring: &str, group: &str, role: &str, days: u32, max_uses: u32, readmit: Option<String>) -> Step<String> {
    let mut ring = keyring_of(keyring)?;
    let group = group_of(group)?;
    let role = Role::from_id(role).ok_or_else(|| Failure::Failed("a role".into()))?;
    let readmit = readmit.map(|u| UserId::parse(&u).map_err(|e| Failure::Failed(e.to_string()))).transpose()?;
    for attempt in 0..2 {
        let epoch = ring.current_epoch(&group).ok_or(Failure::NoGroupKey)?;
        let key = ring.epoch_key(&group, epoch).ok_or(Failure::NoGroupKey)?;
        let code = acc::new_invite_code(&rng());
        let keys = kdf::invite(&code)?;
        let request = InviteRequest { role, days, max_uses, lookup: keys.lookup, key: acc::invite_key(&rng(), &keys.wrap, &group, epoch, &key), readmit: readmit.clone() };
        match http::call_as::<InviteCreated>(bearer, "POST", &format!("/api/groups/{group}/invites"), Some(&request)).await {
            Ok(created) => return Ok(print(&nimo_core::object! { "created": created.to_wire(), "code": code, "keyring": ring.to_value() })),
            // The group's key changed meanwhile: the new one, and again.
            Err(e) if attempt == 0 && e.keys_changed() => ring = refreshed(bearer, &ring).await?,
            Err(e) => return Err(e),
        }
    }
    Err(Failure::NoGroupKey)
}

async fn refreshed(bearer: Option<&str>, ring: &Keyring) -> Step<Keyring> {
    let info: KeysInfo = http::call_as(bearer, "GET", "/api/keys", None).await?;
    Ok(acc::keyring(&ring.user, ring.secret(), &info)?.0)
}

/// Removes a member: the group's next key made here for everyone who
/// stays (and the group's recovery key); the removed member's phones get
/// nothing new. Answers with the keyring holding the new key.
pub async fn remove_member(bearer: Option<&str>, keyring: &str, group: &str, member: &str) -> Step<String> {
    let ring = keyring_of(keyring)?;
    let group = group_of(group)?;
    let member = UserId::parse(member).map_err(|e| Failure::Failed(e.to_string()))?;
    for attempt in 0..2 {
        let info: KeysInfo = http::call_as(bearer, "GET", "/api/keys", None).await?;
        let ring = acc::keyring(&ring.user, ring.secret(), &info)?.0;
        let recovery = info.groups.iter().find(|g| g.group == group).and_then(|g: &GroupKeysInfo| g.recovery_public_key.clone()).ok_or(Failure::NoGroupKey)?;
        let members: Vec<MemberInfo> = http::call_as(bearer, "GET", &format!("/api/groups/{group}/members"), None).await?;
        let stays = members
            .into_iter()
            .filter(|m| m.id != member)
            .map(|m| m.public_key.map(|k| (m.id, k)).ok_or(Failure::NoGroupKey))
            .collect::<Step<Vec<_>>>()?;
        let (rotation, key) = acc::rotation(&rng(), &ring, &group, &stays, &recovery)?;
        match http::call(bearer, "POST", &format!("/api/groups/{group}/members/{member}/remove"), Some(&rotation.to_wire())).await {
            Ok(_) => {
                let mut ring = ring;
                ring.add_epoch(&group, rotation.epoch, key);
                return Ok(answer(None, &ring, None));
            }
            // Someone joined or another coordinator removed someone
            // meanwhile: fetch the keys and members again.
            Err(e) if attempt == 0 && e.keys_changed() => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Failure::NoGroupKey)
}

/// A group whose key this phone lacks (re-admitted through an invite the
/// server's operator made): the group's recovery key opens every epoch;
/// this phone's own envelopes of them go to the server.
pub async fn recover_group(bearer: Option<&str>, keyring: &str, group: &str, recovery: &str) -> Step<String> {
    let ring = keyring_of(keyring)?;
    let group = group_of(group)?;
    let key = acc::key_from_text(recovery).map_err(|_| Failure::Recovery)?;
    let info: GroupRecovery = http::call_as(bearer, "GET", &format!("/api/groups/{group}/recovery"), None).await?;
    let (_, own) = acc::open_group_recovery(&rng(), &key, &group, &info, &acc::public_key(ring.secret())).map_err(|_| Failure::Recovery)?;
    http::call(bearer, "POST", &format!("/api/groups/{group}/keys"), Some(&OwnEnvelope { epochs: own }.to_wire())).await?;
    let ring = refreshed(bearer, &ring).await?;
    Ok(answer(None, &ring, None))
}
