//! The device's side of accounts and group keys, one function per step a
//! person takes: making an account, signing in, opening what the server
//! keeps for them, inviting, joining, removing a member (a new epoch),
//! changing the passphrase, and the two recovery keys. Every function
//! takes and gives the API's own payloads (`crate::api`), so that the app's
//! key module, the integration tests and the tools run the same steps.
//!
//! What binds each sealed key to its purpose (associated data or an
//! envelope's context):
//!
//! | sealed thing | under | bound to |
//! |---|---|---|
//! | the account's private half | the passphrase's wrap key | `account`, its public key |
//! | the same, for recovery | the recovery key's wrap key | `account recovery`, its public key |
//! | a group key for a member | an envelope to their public key | group, epoch, their public key |
//! | a group key for the group's recovery | an envelope to the group's recovery key | group, epoch |
//! | an older epoch's key | the next epoch's key | group, older epoch |
//! | a group key in an invite | the invite code's wrap key | group, epoch |

use super::envelope::{self, KeyPair};
use super::kdf::{self, Cost, PassphraseKeys};
use super::keyring::{Keyring, envelope_context, history_aad, recovery_context};
use super::{CryptoError, Key, Random, b64, unb64};
use crate::api::{
    AccountKeys, EpochEnvelope, GroupKeyInit, GroupRecovery, INVITE_ALPHABET, InviteKey, KdfParams, KeysInfo, MemberEnvelope, NewAccount, RecoveryKeys,
    Rotation,
};
use crate::sync::ids::{GroupId, UserId};

fn account_aad(public: &str) -> Vec<u8> {
    format!("nimo-v1|account|{public}").into_bytes()
}

fn account_recovery_aad(public: &str) -> Vec<u8> {
    format!("nimo-v1|account recovery|{public}").into_bytes()
}

fn invite_aad(group: &GroupId, epoch: u32) -> Vec<u8> {
    format!("nimo-v1|invite|{group}|{epoch}").into_bytes()
}

fn key_of(text: &str) -> Result<Key, CryptoError> {
    Key::from_slice(&unb64(text)?)
}

fn public_of(text: &str) -> Result<[u8; 32], CryptoError> {
    unb64(text)?.try_into().map_err(|_| CryptoError::Malformed("a public key is 32 bytes"))
}

/// A new salt with the default cost.
pub fn new_kdf(rng: &dyn Random) -> KdfParams {
    let mut salt = [0u8; 16];
    rng.fill(&mut salt);
    KdfParams { salt: b64(&salt), m_kib: Cost::DEFAULT.m_kib, t: Cost::DEFAULT.t, p: Cost::DEFAULT.p }
}

/// The passphrase's keys with the parameters the server keeps for the
/// account (refused if they are cheaper than the minimum: a server must not
/// talk a device into a derivation it could reverse quickly).
pub fn passphrase_keys(passphrase: &str, kdf: &KdfParams) -> Result<PassphraseKeys, CryptoError> {
    let salt = unb64(&kdf.salt)?;
    if !(16..=64).contains(&salt.len()) {
        return Err(CryptoError::Malformed("a salt is 16 to 64 bytes"));
    }
    kdf::passphrase(passphrase, &salt, Cost { m_kib: kdf.m_kib, t: kdf.t, p: kdf.p })
}

/// What a new account's device keeps: the private half and the recovery
/// key (shown once, never stored).
pub struct NewKeys {
    pub account: NewAccount,
    pub secret: Key,
    pub recovery: Key,
}

pub fn new_account(rng: &dyn Random, login: &str, display_name: &str, passphrase: &str) -> Result<NewKeys, CryptoError> {
    let kdf = new_kdf(rng);
    let keys = passphrase_keys(passphrase, &kdf)?;
    let pair = KeyPair::random(rng);
    let public_key = b64(&pair.public());
    let secret = pair.secret();
    let recovery = super::recovery::generate(rng);
    let wrapped_secret = b64(&keys.wrap.seal(rng, secret.bytes(), &account_aad(&public_key)));
    let recovery_wrap = kdf::expand(recovery.bytes(), "recovery wrap");
    let wrapped_secret_recovery = b64(&recovery_wrap.seal(rng, secret.bytes(), &account_recovery_aad(&public_key)));
    let account = NewAccount {
        login: login.to_owned(),
        display_name: display_name.to_owned(),
        kdf,
        auth: b64(keys.auth.bytes()),
        public_key,
        wrapped_secret,
        wrapped_secret_recovery,
        recovery_auth: recovery_auth(&recovery),
    };
    Ok(NewKeys { account, secret, recovery })
}

/// What proves the recovery key to the server (it keeps a hash of it).
pub fn recovery_auth(recovery: &Key) -> String {
    b64(kdf::expand(recovery.bytes(), "recovery auth").bytes())
}

/// The public half of a private one (base64).
pub fn public_key(secret: &Key) -> String {
    b64(&KeyPair::from_secret(secret.clone()).public())
}

fn check_pair(secret: &Key, public: &str) -> Result<(), CryptoError> {
    // A server that pairs someone's wrapped key with another public key
    // would have the device seal group keys to a key it cannot open.
    if public_key(secret) == public { Ok(()) } else { Err(CryptoError::DoesNotOpen) }
}

/// The private half, opened with the passphrase's wrap key.
pub fn open_secret(wrap: &Key, keys: &AccountKeys) -> Result<Key, CryptoError> {
    let secret = Key::from_slice(&wrap.open(&unb64(&keys.wrapped_secret)?, &account_aad(&keys.public_key))?)?;
    check_pair(&secret, &keys.public_key)?;
    Ok(secret)
}

/// The private half, opened with the recovery key.
pub fn open_secret_with_recovery(recovery: &Key, keys: &RecoveryKeys) -> Result<Key, CryptoError> {
    let wrap = kdf::expand(recovery.bytes(), "recovery wrap");
    let secret = Key::from_slice(&wrap.open(&unb64(&keys.wrapped_secret_recovery)?, &account_recovery_aad(&keys.public_key))?)?;
    check_pair(&secret, &keys.public_key)?;
    Ok(secret)
}

/// A new passphrase for the same key pair: its parameters, its auth key
/// and the private half wrapped under it.
pub struct NewPassphrase {
    pub kdf: KdfParams,
    pub auth: String,
    pub wrapped_secret: String,
}

pub fn new_passphrase(rng: &dyn Random, secret: &Key, passphrase: &str) -> Result<NewPassphrase, CryptoError> {
    let kdf = new_kdf(rng);
    let keys = passphrase_keys(passphrase, &kdf)?;
    let public = public_key(secret);
    Ok(NewPassphrase { auth: b64(keys.auth.bytes()), wrapped_secret: b64(&keys.wrap.seal(rng, secret.bytes(), &account_aad(&public))), kdf })
}

/// A group key sealed to a member's public key.
pub fn envelope_for(rng: &dyn Random, recipient: &str, group: &GroupId, epoch: u32, key: &Key) -> Result<String, CryptoError> {
    Ok(b64(&envelope::seal(rng, &public_of(recipient)?, key, &envelope_context(group, epoch, recipient))?))
}

/// A group's first key (epoch 1), sealed to its first member and to the
/// group's recovery key, which is made here too (shown once to that
/// member, its private half never stored).
pub struct FirstGroupKey {
    pub init: GroupKeyInit,
    pub key: Key,
    pub recovery: Key,
}

pub fn first_group_key(rng: &dyn Random, group: &GroupId, own_public: &str) -> Result<FirstGroupKey, CryptoError> {
    let key = Key::random(rng);
    let recovery = KeyPair::random(rng);
    let recovery_public = b64(&recovery.public());
    let init = GroupKeyInit {
        envelope: envelope_for(rng, own_public, group, 1, &key)?,
        recovery_envelope: b64(&envelope::seal(rng, &recovery.public(), &key, &recovery_context(group, 1))?),
        recovery_public_key: recovery_public,
    };
    Ok(FirstGroupKey { init, key, recovery: recovery.secret() })
}

/// A new invite code: 12 characters of Crockford's base32 (60 bits; the
/// server sees only its slow derivation).
pub fn new_invite_code(rng: &dyn Random) -> String {
    let mut bytes = [0u8; 12];
    rng.fill(&mut bytes);
    bytes.iter().map(|b| char::from(INVITE_ALPHABET[usize::from(b % 32)])).collect()
}

/// The group's current key as an invite carries it.
pub fn invite_key(rng: &dyn Random, wrap: &Key, group: &GroupId, epoch: u32, key: &Key) -> InviteKey {
    InviteKey { group: group.clone(), epoch, wrapped: b64(&wrap.seal(rng, key.bytes(), &invite_aad(group, epoch))) }
}

pub fn open_invite_key(wrap: &Key, invite: &InviteKey) -> Result<Key, CryptoError> {
    Key::from_slice(&wrap.open(&unb64(&invite.wrapped)?, &invite_aad(&invite.group, invite.epoch))?)
}

/// Why a group's keys could not all be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProblem {
    pub group: GroupId,
    pub why: String,
}

/// The keyring from what the server keeps for the user: each envelope
/// opened with the private half, then each older epoch's key opened with
/// the next one's. A group whose current key does not open is listed (its
/// records stay unreadable, and nothing can be written to it).
pub fn keyring(user: &UserId, secret: &Key, info: &KeysInfo) -> Result<(Keyring, Vec<GroupProblem>), CryptoError> {
    check_pair(secret, &info.account.public_key)?;
    let pair = KeyPair::from_secret(secret.clone());
    let own = b64(&pair.public());
    let mut ring = Keyring::new(user.clone(), secret.clone());
    let mut problems = Vec::new();
    for g in &info.groups {
        for e in &g.envelopes {
            match unb64(&e.envelope).and_then(|env| envelope::open(&pair, &env, &envelope_context(&g.group, e.epoch, &own))) {
                Ok(key) => ring.add_epoch(&g.group, e.epoch, key),
                Err(err) => problems.push(GroupProblem { group: g.group.clone(), why: format!("epoch {}: {err}", e.epoch) }),
            }
        }
        let mut history: Vec<_> = g.history.iter().collect();
        history.sort_by_key(|h| std::cmp::Reverse(h.epoch));
        for h in history {
            if ring.epoch_key(&g.group, h.epoch).is_some() {
                continue;
            }
            let Some(next) = ring.epoch_key(&g.group, h.epoch + 1) else { continue };
            match unb64(&h.sealed).and_then(|s| next.open(&s, &history_aad(&g.group, h.epoch))).and_then(|k| Key::from_slice(&k)) {
                Ok(key) => ring.add_epoch(&g.group, h.epoch, key),
                Err(err) => problems.push(GroupProblem { group: g.group.clone(), why: format!("epoch {}: {err}", h.epoch) }),
            }
        }
        if let Some(current) = g.current_epoch
            && ring.epoch_key(&g.group, current).is_none()
        {
            problems.push(GroupProblem { group: g.group.clone(), why: format!("no key for the current epoch {current}") });
        }
    }
    Ok((ring, problems))
}

/// Removing members: the group's next key, sealed to everyone who stays
/// (`stays`: their ids and public keys) and to the group's recovery key,
/// with the current key sealed under it so that history stays readable.
pub fn rotation(rng: &dyn Random, ring: &Keyring, group: &GroupId, stays: &[(UserId, String)], recovery_public: &str) -> Result<(Rotation, Key), CryptoError> {
    let current = ring.current_epoch(group).ok_or_else(|| CryptoError::NoKey(format!("group {group}")))?;
    let old = ring.epoch_key(group, current).ok_or_else(|| CryptoError::NoKey(format!("group {group}")))?;
    let epoch = current + 1;
    let key = Key::random(rng);
    let envelopes = stays
        .iter()
        .map(|(member, public)| Ok(MemberEnvelope { member: member.clone(), envelope: envelope_for(rng, public, group, epoch, &key)? }))
        .collect::<Result<Vec<_>, CryptoError>>()?;
    let history = b64(&key.seal(rng, old.bytes(), &history_aad(group, current)));
    let recovery_envelope = b64(&envelope::seal(rng, &public_of(recovery_public)?, &key, &recovery_context(group, epoch))?);
    Ok((Rotation { epoch, envelopes, history, recovery_envelope }, key))
}

/// Every epoch's key of a group, opened with the group's recovery key (a
/// member re-admitted by the server's operator, with no one to hand them
/// the key), and the member's own envelopes of them.
pub fn open_group_recovery(rng: &dyn Random, recovery: &Key, group: &GroupId, info: &GroupRecovery, own_public: &str) -> Result<(Vec<(u32, Key)>, Vec<EpochEnvelope>), CryptoError> {
    let pair = KeyPair::from_secret(recovery.clone());
    if b64(&pair.public()) != info.recovery_public_key {
        return Err(CryptoError::DoesNotOpen);
    }
    let mut keys = Vec::new();
    let mut own = Vec::new();
    for e in &info.envelopes {
        let key = envelope::open(&pair, &unb64(&e.envelope)?, &recovery_context(group, e.epoch))?;
        own.push(EpochEnvelope { epoch: e.epoch, envelope: envelope_for(rng, own_public, group, e.epoch, &key)? });
        keys.push((e.epoch, key));
    }
    Ok((keys, own))
}

/// The text of a key as people write it down (the recovery keys).
pub fn key_text(key: &Key) -> String {
    super::recovery::encode(key)
}

pub fn key_from_text(text: &str) -> Result<Key, CryptoError> {
    super::recovery::decode(text)
}

/// For tests and tools: a key from base64.
pub fn key_from_b64(text: &str) -> Result<Key, CryptoError> {
    key_of(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EpochHistory, GroupKeysInfo};
    use crate::crypto::secret::test_rng;

    fn info(account: &NewAccount, groups: Vec<GroupKeysInfo>) -> KeysInfo {
        KeysInfo { account: AccountKeys { public_key: account.public_key.clone(), wrapped_secret: account.wrapped_secret.clone() }, groups }
    }

    #[test]
    fn an_account_opens_with_its_passphrase_or_its_recovery_key() {
        let rng = test_rng();
        let made = new_account(&rng, "hana", "はな", "correct horse battery").unwrap();
        let keys = AccountKeys { public_key: made.account.public_key.clone(), wrapped_secret: made.account.wrapped_secret.clone() };
        let signed_in = passphrase_keys("correct horse battery", &made.account.kdf).unwrap();
        assert_eq!(b64(signed_in.auth.bytes()), made.account.auth);
        assert_eq!(open_secret(&signed_in.wrap, &keys).unwrap(), made.secret);
        let wrong = passphrase_keys("correct horse batterx", &made.account.kdf).unwrap();
        assert!(open_secret(&wrong.wrap, &keys).is_err());
        let swapped = AccountKeys { public_key: public_key(&Key::random(&rng)), ..keys.clone() };
        assert!(open_secret(&signed_in.wrap, &swapped).is_err(), "a public key swapped by the server");

        let text = key_text(&made.recovery);
        let recovery = key_from_text(&text.to_lowercase()).unwrap();
        assert_eq!(recovery_auth(&recovery), made.account.recovery_auth);
        let rk = RecoveryKeys { public_key: made.account.public_key.clone(), wrapped_secret_recovery: made.account.wrapped_secret_recovery.clone() };
        assert_eq!(open_secret_with_recovery(&recovery, &rk).unwrap(), made.secret);

        let changed = new_passphrase(&rng, &made.secret, "a new passphrase here").unwrap();
        let again = passphrase_keys("a new passphrase here", &changed.kdf).unwrap();
        let keys = AccountKeys { wrapped_secret: changed.wrapped_secret, ..keys };
        assert_eq!(open_secret(&again.wrap, &keys).unwrap(), made.secret);

        let cheap = KdfParams { m_kib: 1024, ..made.account.kdf.clone() };
        assert!(passphrase_keys("correct horse battery", &cheap).is_err(), "a server cannot ask for a cheap derivation");
    }

    #[test]
    fn group_keys_reach_members_invites_and_survive_a_rotation() {
        let rng = test_rng();
        let group = GroupId::new_v7(1, [2; 10]);
        let coord = new_account(&rng, "coord", "c", "correct horse battery").unwrap();
        let first = first_group_key(&rng, &group, &coord.account.public_key).unwrap();
        let coord_id = UserId::new_v7(1, [1; 10]);
        let coord_info = |current: u32, envelopes: Vec<EpochEnvelope>, history: Vec<EpochHistory>| {
            info(&coord.account, vec![GroupKeysInfo { group: group.clone(), current_epoch: Some(current), envelopes, history, recovery_public_key: None }])
        };
        let (ring, problems) = keyring(&coord_id, &coord.secret, &coord_info(1, vec![EpochEnvelope { epoch: 1, envelope: first.init.envelope.clone() }], vec![])).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(ring.epoch_key(&group, 1), Some(first.key.clone()));

        // An invite: the joiner opens the group key with the code alone.
        let code = new_invite_code(&rng);
        let ik = kdf::invite(&code).unwrap();
        let invite = invite_key(&rng, &ik.wrap, &group, 1, &first.key);
        let joiner = new_account(&rng, "mem", "m", "another good passphrase").unwrap();
        let opened = open_invite_key(&kdf::invite(&code).unwrap().wrap, &invite).unwrap();
        assert_eq!(opened, first.key);
        assert!(open_invite_key(&kdf::invite(&new_invite_code(&rng)).unwrap().wrap, &invite).is_err());
        let member_env = envelope_for(&rng, &joiner.account.public_key, &group, 1, &opened).unwrap();

        // The member is removed: epoch 2 for the coordinator only.
        let (rot, key2) = rotation(&rng, &ring, &group, &[(coord_id.clone(), coord.account.public_key.clone())], &first.init.recovery_public_key).unwrap();
        assert_eq!(rot.epoch, 2);
        let (ring2, problems) = keyring(
            &coord_id,
            &coord.secret,
            &coord_info(2, vec![EpochEnvelope { epoch: 2, envelope: rot.envelopes[0].envelope.clone() }], vec![EpochHistory { epoch: 1, sealed: rot.history.clone() }]),
        )
        .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(ring2.epoch_key(&group, 1), Some(first.key.clone()), "history opened with the new key");
        assert_eq!(ring2.epoch_key(&group, 2), Some(key2.clone()));

        // The removed member's envelope of epoch 1 still opens, but nothing gives them epoch 2.
        let member_id = UserId::new_v7(1, [9; 10]);
        let member_view = info(&joiner.account, vec![GroupKeysInfo {
            group: group.clone(),
            current_epoch: Some(2),
            envelopes: vec![EpochEnvelope { epoch: 1, envelope: member_env }, EpochEnvelope { epoch: 2, envelope: rot.envelopes[0].envelope.clone() }],
            history: vec![],
            recovery_public_key: None,
        }]);
        let (mring, problems) = keyring(&member_id, &joiner.secret, &member_view).unwrap();
        assert_eq!(mring.epoch_key(&group, 2), None, "another member's envelope does not open");
        assert!(!problems.is_empty());

        // The group's recovery key opens every epoch.
        let recovery = GroupRecovery {
            recovery_public_key: first.init.recovery_public_key.clone(),
            envelopes: vec![EpochEnvelope { epoch: 1, envelope: first.init.recovery_envelope.clone() }, EpochEnvelope { epoch: 2, envelope: rot.recovery_envelope.clone() }],
        };
        let (keys, own) = open_group_recovery(&rng, &first.recovery, &group, &recovery, &joiner.account.public_key).unwrap();
        assert_eq!(keys, vec![(1, first.key.clone()), (2, key2)]);
        assert_eq!(own.len(), 2);
        assert!(open_group_recovery(&rng, &Key::random(&rng), &group, &recovery, &joiner.account.public_key).is_err());
    }
}
