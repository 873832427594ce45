//! Accounts: joining with invites, signing in and out, devices, throttling.

use nimo_core::api::{DeviceInfo, ErrorBody, ErrorCode, JoinRequest, LoginRequest, Me};
use nimo_core::crypto::{account, b64, kdf};
use nimo_core::sync::collection::Role;
use nimo_tests::{TestApp, TestApp as T, new_client, rng, spawn_app};

/// A join request for `code` as a phone makes it (the invite opened first).
async fn join_body(app: &TestApp, code: &str, login: &str) -> JoinRequest {
    app.join_request(code, login, "correct horse battery").await.0
}

/// A join request for an invite that cannot be opened (its lookup value
/// made from the code, nothing else asked of the server).
fn blind_join_body(code: &str, login: &str) -> JoinRequest {
    let made = account::new_account(&rng(), login, "さくら", "correct horse battery").unwrap();
    let lookup = kdf::invite(&nimo_core::api::normalize_invite_code(code).unwrap()).unwrap().lookup;
    JoinRequest { lookup, account: made.account, envelope: None, group_key: None, device_name: "Android".into(), bearer: false }
}

async fn error(r: reqwest::Response) -> (u16, ErrorBody) {
    let status = r.status().as_u16();
    (status, r.json().await.expect("an error body"))
}

#[tokio::test]
async fn the_first_coordinator_joins_with_the_printed_invite() {
    let app = spawn_app().await;
    let (group, code) = app.create_group("○○市家族会").await;
    let client = new_client();
    let r = client.post(app.url("/api/join")).json(&join_body(&app, &code, "Sakura").await).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure flag over plain http");
    let me: Me = r.json().await.unwrap();
    assert_eq!(me.login, "sakura", "login names are kept in lower case");
    assert_eq!(me.groups.len(), 1);
    assert_eq!(me.groups[0].id, group);
    assert_eq!(me.groups[0].role, Role::Coordinator);
    assert!(me.keys.is_some(), "a join answers with the account's keys");
    let again: Me = client.get(app.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(again.user, me.user);
    // The first member made the group's first key.
    let keys: nimo_core::api::KeysInfo = client.get(app.url("/api/keys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(keys.groups[0].current_epoch, Some(1));
    assert_eq!(keys.groups[0].envelopes.len(), 1);
}

#[tokio::test]
async fn the_server_keeps_only_a_slow_hash_of_the_auth_key() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    app.join(&code, "hashcheck").await;
    let conn = rusqlite::Connection::open(app.database_path()).unwrap();
    let hash: String = conn.query_row("SELECT passphrase_hash FROM users WHERE login = 'hashcheck'", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    let (auth, _) = app.auth_for("hashcheck", &nimo_tests::passphrase_of("hashcheck")).await;
    assert!(!hash.contains(&auth), "not the auth key itself");
    let tokens: Vec<Vec<u8>> = conn
        .prepare("SELECT token_hash FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tokens.iter().all(|t| t.len() == 32), "only SHA-256 hashes of tokens are stored");
}

#[tokio::test]
async fn an_invite_cannot_be_used_beyond_its_limit() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    app.join(&code, "first").await;
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body(&code, "second")).send().await.unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error, body.detail.as_deref()), (409, ErrorCode::InviteInvalid, Some("used_up")));
}

#[tokio::test]
async fn an_invite_for_three_is_used_three_times() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    let coordinator = app.join(&code, "coord").await;
    let (mut request, code) = T::invite_request(&coordinator, coordinator.group(), Role::Member);
    request.days = 3;
    request.max_uses = 3;
    let r = coordinator.client.post(app.url(&format!("/api/groups/{}/invites", coordinator.group()))).json(&request).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(code.len(), 12);
    for i in 0..3 {
        let m = app.join(&nimo_core::api::format_invite_code(&code).to_lowercase(), &format!("member{i}")).await;
        assert_eq!(m.me.groups[0].role, Role::Member);
        assert_eq!(m.ring.epoch_key(m.group(), 1), coordinator.ring.epoch_key(coordinator.group(), 1), "the invite carried the group's key");
    }
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body(&code, "fourth")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("used_up"));
}

#[tokio::test]
async fn an_expired_or_revoked_invite_is_refused() {
    let app = spawn_app().await;
    let (group, code) = app.create_group("g").await;
    let conn = rusqlite::Connection::open(app.database_path()).unwrap();
    conn.execute("UPDATE invites SET expires_ms = 1 WHERE group_id = ?1", [group.as_str()]).unwrap();
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body(&code, "late")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("expired"));

    conn.execute("UPDATE invites SET expires_ms = 99999999999999 WHERE group_id = ?1", [group.as_str()]).unwrap();
    let coordinator = app.join(&code, "coord").await;
    let invite = app.invite(&coordinator, Role::Member).await;
    let r = coordinator
        .client
        .delete(app.url(&format!("/api/groups/{group}/invites/{}", invite.created.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body(&invite.code, "nope")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("revoked"));
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body("ZZZZ-ZZZZ-ZZZZ", "nope")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("unknown"));
}

#[tokio::test]
async fn joining_checks_each_field_and_names_it() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    let good = join_body(&app, &code, "ok").await;
    let with = |f: &dyn Fn(&mut JoinRequest)| {
        let mut r = good.clone();
        f(&mut r);
        r
    };
    let cases: [(JoinRequest, &str); 7] = [
        (with(&|r| r.account.auth = "short".into()), "account.auth"),
        (with(&|r| r.account.login = "a b".into()), "account.login"),
        (with(&|r| r.account.display_name = " ".into()), "account.display_name"),
        (with(&|r| r.lookup = "not a lookup".into()), "lookup"),
        (with(&|r| r.account.kdf.m_kib = 1024), "kdf"),
        (with(&|r| r.account.public_key = b64(&[1; 31])), "account.public_key"),
        (with(&|r| r.group_key.as_mut().unwrap().envelope = "AAAA".into()), "group_key.envelope"),
    ];
    for (body, field) in cases {
        let r = new_client().post(app.url("/api/join")).json(&body).send().await.unwrap();
        let (status, e) = error(r).await;
        assert_eq!((status, e.error, e.field.as_deref()), (400, ErrorCode::InvalidField, Some(field)));
    }
    // Nothing was used up by the failures.
    app.join(&code, "finally").await;
}

#[tokio::test]
async fn a_taken_login_is_refused_without_using_the_invite() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("taken", 0).await;
    let invite = app.invite(&coordinator, Role::Member).await;
    let r = new_client().post(app.url("/api/join")).json(&join_body(&app, &invite.code, &coordinator.me.login).await).send().await.unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error), (409, ErrorCode::LoginTaken));
    app.join(&invite.code, "another").await;
}

#[tokio::test]
async fn signing_in_makes_a_new_device_and_signing_out_ends_it() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("devices", 0).await;
    let second = app.login(&coordinator.me.login).await;
    assert_ne!(second.me.device, coordinator.me.device);
    let devices: Vec<DeviceInfo> = second.client.get(app.url("/api/devices")).send().await.unwrap().json().await.unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices.iter().filter(|d| d.current).count(), 1);

    let r = second.client.post(app.url("/api/auth/logout")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    // The cookie is gone from the client; the old token is refused too.
    let r = second.client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let devices: Vec<DeviceInfo> = coordinator.client.get(app.url("/api/devices")).send().await.unwrap().json().await.unwrap();
    assert_eq!(devices.len(), 1);
}

#[tokio::test]
async fn a_revoked_device_is_told_so() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("lost phone", 0).await;
    let lost = app.login(&coordinator.me.login).await;
    let r = coordinator.client.delete(app.url(&format!("/api/devices/{}", lost.me.device))).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = lost.client.get(app.url("/api/me")).send().await.unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error, body.detail.as_deref()), (401, ErrorCode::DeviceRevoked, Some("revoked_by_user")));
    // Someone else's device cannot be revoked (and is not revealed).
    let (other, _) = app.group_with("other", 0).await;
    let r = coordinator.client.delete(app.url(&format!("/api/devices/{}", other.me.device))).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn removing_a_member_signs_out_all_their_devices() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("removal", 1).await;
    let mut coordinator = coordinator;
    let member = &members[0];
    let second = app.login(&member.me.login).await;
    let r = app.remove(&mut coordinator, &member.me.user).await;
    assert_eq!(r.status(), 204);
    for device in [&member.client, &second.client] {
        let (status, body) = error(device.get(app.url("/api/me")).send().await.unwrap()).await;
        assert_eq!((status, body.detail.as_deref()), (401, Some("removed_from_group")));
    }
    // The last coordinator cannot remove themselves.
    let me = coordinator.me.user.clone();
    let r = app.remove(&mut coordinator, &me).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn wrong_passphrases_are_throttled_per_account() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("throttle", 0).await;
    let login = coordinator.me.login.clone();
    let (wrong, _) = app.auth_for(&login, "wrong passphrase").await;
    let attempt = |auth: String| {
        let login = login.clone();
        let url = app.url("/api/auth/login");
        async move { new_client().post(url).json(&LoginRequest { login, auth, device_name: "x".into(), bearer: false }).send().await.unwrap() }
    };
    for _ in 0..5 {
        let (status, body) = error(attempt(wrong.clone()).await).await;
        assert_eq!((status, body.error), (401, ErrorCode::InvalidCredentials));
    }
    let r = attempt(wrong.clone()).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().error, ErrorCode::Throttled);
    // Even the right passphrase waits now.
    let (right, _) = app.auth_for(&login, &nimo_tests::passphrase_of(&login)).await;
    assert_eq!(attempt(right).await.status(), 429);
}

#[tokio::test]
async fn an_unknown_login_looks_like_a_wrong_passphrase() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("known", 0).await;
    // Its stretching parameters look like a real account's, and stay the same.
    let unknown = app.kdf_of("nobody").await;
    assert_eq!(unknown, app.kdf_of("nobody").await);
    assert_ne!(unknown.salt, app.kdf_of("somebody").await.salt);
    let known = app.kdf_of(&coordinator.me.login).await;
    assert_eq!((unknown.m_kib, unknown.t, unknown.p, unb64_len(&unknown.salt)), (known.m_kib, known.t, known.p, unb64_len(&known.salt)));
    let (auth, _) = app.auth_for("nobody", "whatever it is").await;
    let r = new_client()
        .post(app.url("/api/auth/login"))
        .json(&LoginRequest { login: "nobody".into(), auth, device_name: "x".into(), bearer: false })
        .send()
        .await
        .unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error), (401, ErrorCode::InvalidCredentials));
}

fn unb64_len(s: &str) -> usize {
    nimo_core::crypto::unb64(s).map(|b| b.len()).unwrap_or(0)
}

#[tokio::test]
async fn a_member_can_join_a_second_group() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("first", 1).await;
    let (other_coordinator, _) = app.group_with("second group", 0).await;
    let invite = app.invite(&other_coordinator, Role::Member).await;
    let (opened, wrap) = app.open_invite(&invite.code).await;
    let key = account::open_invite_key(&wrap, opened.key.as_ref().unwrap()).unwrap();
    let own = account::public_key(members[0].ring.secret());
    let envelope = nimo_core::api::EpochEnvelope { epoch: 1, envelope: account::envelope_for(&rng(), &own, &opened.group, 1, &key).unwrap() };
    let lookup = kdf::invite(&invite.code).unwrap().lookup;
    let r = members[0]
        .client
        .post(app.url("/api/groups/join"))
        .json(&nimo_core::api::JoinGroupRequest { lookup, envelope: Some(envelope), group_key: None })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let me: Me = r.json().await.unwrap();
    assert_eq!(me.groups.len(), 2);
    let mut member = members.into_iter().next().unwrap();
    member.refresh_keys(&app).await;
    assert_eq!(member.ring.epoch_key(&opened.group, 1), Some(key), "the second group's key is the member's now");
    let _ = coordinator;
}

#[tokio::test]
async fn the_first_run_link_makes_the_first_group_once() {
    let app = spawn_app().await;
    let token = app.setup_token.clone().expect("an empty server issues a setup token");
    let body = |token: &str, login: &str| {
        let made = account::new_account(&rng(), login, "はな", "correct horse battery").unwrap();
        let group = nimo_core::sync::ids::GroupId::new_v7(1_790_000_000_000, [3; 10]);
        let first = account::first_group_key(&rng(), &group, &made.account.public_key).unwrap();
        nimo_core::api::SetupRequest {
            token: token.into(),
            group,
            group_name: "○○市家族会".into(),
            account: made.account,
            group_key: first.init,
            device_name: "iPhone".into(),
            bearer: false,
        }
    };
    let client = new_client();
    let (status, e) = error(client.post(app.url("/api/setup")).json(&body("not-the-token", "hana")).send().await.unwrap()).await;
    assert_eq!((status, e.error), (403, ErrorCode::Forbidden), "a wrong token makes nothing");
    let r = client.post(app.url("/api/setup")).json(&body(&token, "hana")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let me: Me = r.json().await.unwrap();
    assert_eq!(me.groups.len(), 1);
    assert_eq!(me.groups[0].role, Role::Coordinator);
    assert_eq!(me.groups[0].name, "○○市家族会");
    let again: Me = client.get(app.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(again.user, me.user, "signed in by the setup");
    // The link stops working once a group exists, and a restart on a
    // database with a group issues none.
    let (status, _) = error(new_client().post(app.url("/api/setup")).json(&body(&token, "other")).send().await.unwrap()).await;
    assert_eq!(status, 403);
    let dir = app.stop().await;
    let again = nimo_tests::spawn_app_in(dir, None).await;
    assert!(again.setup_token.is_none());
}

#[tokio::test]
async fn a_forgotten_passphrase_is_set_again_with_the_recovery_key() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("recovery", 0).await;
    let login = coordinator.me.login.clone();
    let recovery = coordinator.recovery.clone().unwrap();
    // A wrong recovery key is refused like a wrong passphrase, and counted.
    let wrong = account::recovery_auth(&nimo_core::crypto::Key::random(&rng()));
    let r = new_client().post(app.url("/api/auth/recovery")).json(&nimo_core::api::RecoveryRequest { login: login.clone(), recovery_auth: wrong }).send().await.unwrap();
    assert_eq!(error(r).await.0, 401);
    let r = new_client()
        .post(app.url("/api/auth/recovery"))
        .json(&nimo_core::api::RecoveryRequest { login: login.clone(), recovery_auth: account::recovery_auth(&recovery) })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let keys: nimo_core::api::RecoveryKeys = r.json().await.unwrap();
    let secret = account::open_secret_with_recovery(&recovery, &keys).unwrap();
    assert_eq!(&secret, coordinator.ring.secret(), "the same key pair: private records stay readable");
    let new = account::new_passphrase(&rng(), &secret, "a brand new passphrase").unwrap();
    let r = new_client()
        .post(app.url("/api/auth/recover"))
        .json(&nimo_core::api::RecoverRequest {
            login: login.clone(),
            recovery_auth: account::recovery_auth(&recovery),
            kdf: new.kdf,
            auth: new.auth,
            wrapped_secret: new.wrapped_secret,
            device_name: "new phone".into(),
            bearer: false,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The old devices are signed out; the new passphrase signs in.
    let (status, _) = error(coordinator.client.get(app.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    let again = app.login_with(&login, "a brand new passphrase").await;
    assert_eq!(again.ring.secret(), &secret);
    assert_eq!(again.ring.epoch_key(again.group(), 1), coordinator.ring.epoch_key(coordinator.group(), 1));
}

#[tokio::test]
async fn changing_the_passphrase_keeps_the_keys() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("change", 0).await;
    let login = coordinator.me.login.clone();
    let (current_auth, _) = app.auth_for(&login, &nimo_tests::passphrase_of(&login)).await;
    let new = account::new_passphrase(&rng(), coordinator.ring.secret(), "another long passphrase").unwrap();
    let change = nimo_core::api::PassphraseChange { current_auth, kdf: new.kdf, auth: new.auth, wrapped_secret: new.wrapped_secret };
    let r = coordinator.client.put(app.url("/api/auth/passphrase")).json(&change).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let again = app.login_with(&login, "another long passphrase").await;
    assert_eq!(again.ring.secret(), coordinator.ring.secret());
    let r = coordinator.client.put(app.url("/api/auth/passphrase")).json(&change).send().await.unwrap();
    assert_eq!(error(r).await.0, 401, "the old passphrase no longer proves anything");
}
