//! Accounts: joining with invites, signing in and out, devices, throttling.

use nimo_core::api::{DeviceInfo, ErrorBody, ErrorCode, InviteRequest, JoinRequest, LoginRequest, Me};
use nimo_core::sync::collection::Role;
use nimo_tests::{new_client, spawn_app};

fn join_body(code: &str, login: &str) -> JoinRequest {
    JoinRequest {
        code: code.into(),
        login: login.into(),
        display_name: "さくら".into(),
        passphrase: "correct horse battery".into(),
        device_name: "Android".into(),
        bearer: false,
    }
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
    let r = client.post(app.url("/api/join")).json(&join_body(&code, "Sakura")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure flag over plain http");
    let me: Me = r.json().await.unwrap();
    assert_eq!(me.login, "sakura", "login names are kept in lower case");
    assert_eq!(me.groups.len(), 1);
    assert_eq!(me.groups[0].id, group);
    assert_eq!(me.groups[0].role, Role::Coordinator);
    let again: Me = client.get(app.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(again.user, me.user);
}

#[tokio::test]
async fn passphrases_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    app.join(&code, "hashcheck").await;
    let conn = rusqlite::Connection::open(app.database_path()).unwrap();
    let hash: String = conn.query_row("SELECT passphrase_hash FROM users WHERE login = 'hashcheck'", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains("passphrase"));
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
    let r = new_client().post(app.url("/api/join")).json(&join_body(&code, "second")).send().await.unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error, body.detail.as_deref()), (409, ErrorCode::InviteInvalid, Some("used_up")));
}

#[tokio::test]
async fn an_invite_for_three_is_used_three_times() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    let coordinator = app.join(&code, "coord").await;
    let r = coordinator
        .client
        .post(app.url(&format!("/api/groups/{}/invites", coordinator.group())))
        .json(&InviteRequest { role: Role::Member, days: 3, max_uses: 3 })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let invite: nimo_core::api::InviteCreated = r.json().await.unwrap();
    assert_eq!(invite.code.len(), 12);
    for i in 0..3 {
        let m = app.join(&nimo_core::api::format_invite_code(&invite.code).to_lowercase(), &format!("member{i}")).await;
        assert_eq!(m.me.groups[0].role, Role::Member);
    }
    let r = new_client().post(app.url("/api/join")).json(&join_body(&invite.code, "fourth")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("used_up"));
}

#[tokio::test]
async fn an_expired_or_revoked_invite_is_refused() {
    let app = spawn_app().await;
    let (group, code) = app.create_group("g").await;
    let conn = rusqlite::Connection::open(app.database_path()).unwrap();
    conn.execute("UPDATE invites SET expires_ms = 1 WHERE group_id = ?1", [group.as_str()]).unwrap();
    let r = new_client().post(app.url("/api/join")).json(&join_body(&code, "late")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("expired"));

    conn.execute("UPDATE invites SET expires_ms = 99999999999999 WHERE group_id = ?1", [group.as_str()]).unwrap();
    let coordinator = app.join(&code, "coord").await;
    let invite = app.invite(&coordinator, Role::Member).await;
    let r = coordinator
        .client
        .delete(app.url(&format!("/api/groups/{group}/invites/{}", invite.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = new_client().post(app.url("/api/join")).json(&join_body(&invite.code, "nope")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("revoked"));
    let r = new_client().post(app.url("/api/join")).json(&join_body("ZZZZ-ZZZZ-ZZZZ", "nope")).send().await.unwrap();
    assert_eq!(error(r).await.1.detail.as_deref(), Some("unknown"));
}

#[tokio::test]
async fn joining_checks_each_field_and_names_it() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("g").await;
    let cases: [(JoinRequest, &str); 5] = [
        (JoinRequest { passphrase: "short".into(), ..join_body(&code, "ok") }, "passphrase"),
        (JoinRequest { login: "a b".into(), ..join_body(&code, "ok") }, "login"),
        (JoinRequest { display_name: " ".into(), ..join_body(&code, "ok") }, "display_name"),
        (JoinRequest { code: "not a code".into(), ..join_body(&code, "ok") }, "code"),
        (JoinRequest { passphrase: "samename".into(), ..join_body(&code, "samename") }, "passphrase"),
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
    let r = new_client().post(app.url("/api/join")).json(&join_body(&invite.code, &coordinator.me.login)).send().await.unwrap();
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
    let member = &members[0];
    let second = app.login(&member.me.login).await;
    let r = coordinator
        .client
        .delete(app.url(&format!("/api/groups/{}/members/{}", coordinator.group(), member.me.user)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    for device in [&member.client, &second.client] {
        let (status, body) = error(device.get(app.url("/api/me")).send().await.unwrap()).await;
        assert_eq!((status, body.detail.as_deref()), (401, Some("removed_from_group")));
    }
    // The last coordinator cannot remove themselves.
    let r = coordinator
        .client
        .delete(app.url(&format!("/api/groups/{}/members/{}", coordinator.group(), coordinator.me.user)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn wrong_passphrases_are_throttled_per_account() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("throttle", 0).await;
    let login = coordinator.me.login.clone();
    let attempt = |passphrase: &'static str| {
        let login = login.clone();
        let url = app.url("/api/auth/login");
        async move {
            new_client()
                .post(url)
                .json(&LoginRequest { login, passphrase: passphrase.into(), device_name: "x".into(), bearer: false })
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        let (status, body) = error(attempt("wrong passphrase").await).await;
        assert_eq!((status, body.error), (401, ErrorCode::InvalidCredentials));
    }
    let r = attempt("wrong passphrase").await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().error, ErrorCode::Throttled);
    // Even the right passphrase waits now.
    let right = nimo_tests::passphrase_of(&login);
    let r = new_client()
        .post(app.url("/api/auth/login"))
        .json(&LoginRequest { login: login.clone(), passphrase: right, device_name: "x".into(), bearer: false })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn an_unknown_login_looks_like_a_wrong_passphrase() {
    let app = spawn_app().await;
    let r = new_client()
        .post(app.url("/api/auth/login"))
        .json(&LoginRequest { login: "nobody".into(), passphrase: "whatever it is".into(), device_name: "x".into(), bearer: false })
        .send()
        .await
        .unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error), (401, ErrorCode::InvalidCredentials));
}

#[tokio::test]
async fn a_member_can_join_a_second_group() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("first", 1).await;
    let (other_coordinator, _) = app.group_with("second group", 0).await;
    let invite = app.invite(&other_coordinator, Role::Member).await;
    let r = members[0]
        .client
        .post(app.url("/api/groups/join"))
        .json(&nimo_core::api::JoinGroupRequest { code: invite.code })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let me: Me = r.json().await.unwrap();
    assert_eq!(me.groups.len(), 2);
    let _ = coordinator;
}

#[tokio::test]
async fn the_first_run_link_makes_the_first_group_once() {
    let app = spawn_app().await;
    let token = app.setup_token.clone().expect("an empty server issues a setup token");
    let body = |token: &str, login: &str| nimo_core::api::SetupRequest {
        token: token.into(),
        group_name: "○○市家族会".into(),
        login: login.into(),
        display_name: "はな".into(),
        passphrase: "correct horse battery".into(),
        device_name: "iPhone".into(),
        bearer: false,
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
