//! The attacks that once succeeded against the built server, each kept here
//! so that it cannot come back: parallel guesses past the throttle, login
//! enumeration and hashing through `/api/join`, values in the clear,
//! oversized records, world-readable files, slow clients, script URLs,
//! guessed deletes, and sessions that outlive their time.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use nimo_core::api::{ErrorBody, ErrorCode, JoinRequest, LoginRequest, Me, PassphraseChange, SessionMode, SessionToken};
use nimo_core::crypto::{account, kdf};
use nimo_core::sync::collection::{Collection, Role, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::kyogi::meeting::attendance_id;
use nimo_core::sync::protocol::{AckResult, Mutation, Op, PullResponse};
use nimo_tests::protocol::{client_id, create, push_ok, push_raw, push_request, stamp};
use nimo_tests::{Member, TestApp, new_client, passphrase_of, rng, spawn_app, spawn_app_with};
use serde_json::json;

fn base(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

async fn error(r: reqwest::Response) -> (u16, ErrorBody) {
    let status = r.status().as_u16();
    (status, r.json().await.expect("an error body"))
}

/// A join request for an invite the server has not been asked about.
fn blind_join_body(code: &str, login: &str) -> JoinRequest {
    let made = account::new_account(&rng(), login, "さくら", "correct horse battery").unwrap();
    let lookup = kdf::invite(&nimo_core::api::normalize_invite_code(code).unwrap()).unwrap().lookup;
    JoinRequest { lookup, account: made.account, envelope: None, group_key: None, device_name: "Android".into(), bearer: false }
}

async fn login_body(app: &TestApp, login: &str, passphrase: &str) -> LoginRequest {
    let (auth, _) = app.auth_for(login, passphrase).await;
    LoginRequest { login: login.into(), auth, device_name: "x".into(), bearer: false }
}

#[tokio::test]
async fn forty_parallel_guesses_get_at_most_five_checks_even_with_the_right_one_last() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("parallel", 0).await;
    let login = coordinator.me.login.clone();
    let wrong = login_body(&app, &login, "wrong guess").await;
    let right = login_body(&app, &login, &passphrase_of(&login)).await;
    let before = app.state.hasher.computed();
    let mut attempts = Vec::new();
    for i in 0..40 {
        let (url, body) = (app.url("/api/auth/login"), if i == 39 { right.clone() } else { wrong.clone() });
        attempts.push(tokio::spawn(async move { new_client().post(url).json(&body).send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = Vec::new();
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(checked <= 5, "{checked} attempts were checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 40 - checked);
    assert!(app.state.hasher.computed() - before <= 5, "at most five passphrases were verified");

    // The counts are in the database: a restart does not reset them.
    let dir = app.stop().await;
    let app = nimo_tests::spawn_app_in(dir, None).await;
    let r = new_client().post(app.url("/api/auth/login")).json(&right).send().await.unwrap();
    assert_eq!(r.status(), 429, "still throttled after a restart");
}

#[tokio::test]
async fn join_checks_the_invite_before_the_login_and_hashes_nothing_it_refuses() {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("enumeration", 0).await;
    let taken = coordinator.me.login.clone();
    let before = app.state.hasher.computed();
    // A taken login with a bad invite: only the invite is talked about.
    let r = new_client().post(app.url("/api/join")).json(&blind_join_body("ZZZZ-ZZZZ-ZZZZ", &taken)).send().await.unwrap();
    let (status, body) = error(r).await;
    assert_eq!((status, body.error), (409, ErrorCode::InviteInvalid));
    // A valid invite holder learns that the login is taken, still without a hash.
    let invite = app.invite(&coordinator, Role::Member).await;
    let r = new_client().post(app.url("/api/join")).json(&app.join_request(&invite.code, &taken, "correct horse battery").await.0).send().await.unwrap();
    assert_eq!(error(r).await.1.error, ErrorCode::LoginTaken);
    // Keys stretched more cheaply than the minimum are refused before any hash too.
    let mut cheap = app.join_request(&invite.code, "newcomer", "correct horse battery").await.0;
    cheap.account.kdf.t = 1;
    let r = new_client().post(app.url("/api/join")).json(&cheap).send().await.unwrap();
    assert_eq!(error(r).await.1.field.as_deref(), Some("kdf"));
    assert_eq!(app.state.hasher.computed(), before, "no hash was computed for a refused join");

    // Guessing invite codes is throttled per address.
    let mut last = 0;
    for i in 0..25 {
        let r = new_client().post(app.url("/api/join")).json(&blind_join_body("ZZZZ-ZZZZ-ZZZZ", &format!("guess{i}"))).send().await.unwrap();
        last = r.status().as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn a_passphrase_change_signs_out_the_other_devices() {
    // Which passphrases are too weak is judged on the device now
    // (nimo_core::base::passphrase::check, in the strength module): the
    // server never sees one.
    let app = spawn_app().await;
    let (_, code) = app.create_group("passphrases").await;
    let phone = app.join(&code, "changer").await;
    let tablet = app.login("changer").await;
    let new = account::new_passphrase(&rng(), phone.ring.secret(), "a whole new passphrase here").unwrap();
    let change = |current_auth: String| PassphraseChange { current_auth, kdf: new.kdf.clone(), auth: new.auth.clone(), wrapped_secret: new.wrapped_secret.clone() };
    let (wrong, _) = app.auth_for("changer", "not it at all").await;
    let r = phone.client.put(app.url("/api/auth/passphrase")).json(&change(wrong)).send().await.unwrap();
    assert_eq!(error(r).await.1.error, ErrorCode::InvalidCredentials);
    let (current, _) = app.auth_for("changer", &passphrase_of("changer")).await;
    let r = phone.client.put(app.url("/api/auth/passphrase")).json(&change(current)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    // The other device is signed out; this one goes on.
    let (status, body) = error(tablet.client.get(app.url("/api/me")).send().await.unwrap()).await;
    assert_eq!((status, body.detail.as_deref()), (401, Some("passphrase_changed")));
    assert_eq!(phone.client.get(app.url("/api/me")).send().await.unwrap().status(), 200);
    let old = new_client().post(app.url("/api/auth/login")).json(&login_body(&app, "changer", &passphrase_of("changer")).await).send().await.unwrap();
    assert_eq!(old.status(), 401);
    let new = new_client().post(app.url("/api/auth/login")).json(&login_body(&app, "changer", "a whole new passphrase here").await).send().await.unwrap();
    assert_eq!(new.status(), 200);
}

async fn coordinator_and_member(app: &TestApp) -> (Member, Member) {
    let (coordinator, mut members) = app.group_with("typed", 1).await;
    (coordinator, members.pop().unwrap())
}

#[tokio::test]
async fn only_sealed_values_are_stored_and_records_have_a_size() {
    let app = spawn_app().await;
    let (coordinator, member) = coordinator_and_member(&app).await;
    let c = client_id(1);
    let t = stamp(1_790_000_000_000, &c);
    // A value in the clear (a broken or an old client) is refused, named.
    let clear = create(1, &RecordId::new_v7(1, [1; 10]), Collection::Contact, member.group(), Visibility::Group, &t, &[
        ("at", json!("2026-11-24T10:00")),
        ("mode", json!("phone")),
        ("note", json!("平文のメモ")),
    ]);
    let r = push_raw(&member.client, &base(&app), &push_request(&c, vec![clear])).await;
    let response: nimo_core::sync::protocol::PushResponse = r.json().await.unwrap();
    assert!(
        matches!(&response.acks[0].result, AckResult::Rejected { error: ErrorCode::InvalidField, field: Some(f), .. } if f.starts_with("fields.")),
        "{:?}",
        response.acks[0].result
    );

    // A directory entry over the record cap (many health areas) is refused whole.
    let c = client_id(2);
    let t = stamp(1_790_000_000_000, &c);
    let codes: Vec<String> = nimo_core::directory::area::all().iter().filter(|a| !a.code.is_prefecture()).take(200).map(|a| a.code.to_string()).collect();
    let areas: Vec<serde_json::Value> = (0..60).map(|i| json!({"kind": "health_area", "name": format!("圏域{i}"), "codes": codes})).collect();
    let window = |n: u8, areas: &[serde_json::Value]| {
        create(u64::from(n), &RecordId::new_v7(2, [n; 10]), Collection::Window, coordinator.group(), Visibility::Group, &t, &[
            ("name", json!(format!("大きな窓口{n}"))),
            ("type", json!("municipal_welfare")),
            ("areas", json!(areas)),
        ])
    };
    let response = push_ok(&coordinator, &base(&app), &push_request(&c, vec![window(1, &areas)])).await;
    assert!(
        matches!(&response.acks[0].result, AckResult::Rejected { error: ErrorCode::InvalidField | ErrorCode::PayloadTooLarge, .. }),
        "{:?}",
        response.acks[0].result
    );

    // A pull page stops at its byte cap, not only at its count.
    let medium: Vec<serde_json::Value> = areas[..12].to_vec();
    let many: Vec<Mutation> = (2..102).map(|n| window(n, &medium)).collect();
    let response = push_ok(&coordinator, &base(&app), &push_request(&c, many)).await;
    assert!(response.acks.iter().all(|a| a.result == AckResult::Applied), "{:?}", response.acks.first());
    let page: PullResponse =
        coordinator.client.get(app.url(&format!("/api/sync/pull?schema={}&limit=1000", nimo_core::SCHEMA_VERSION))).send().await.unwrap().json().await.unwrap();
    assert!(page.more, "a page of 100 records of ~30 KB is cut by its byte cap");
    assert!(page.records.len() < 100 && !page.records.is_empty(), "{} records", page.records.len());
}

#[tokio::test]
async fn a_script_url_is_refused_as_a_website_by_the_device() {
    // The server cannot read a website to refuse it: the device's check
    // before sealing does (and again after opening, on every other device).
    let group = nimo_core::sync::ids::GroupId::new_v7(1, [1; 10]);
    let c = client_id(3);
    let t = stamp(1_790_000_000_000, &c);
    for (i, url) in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,x", "//evil.example"].iter().enumerate() {
        let m = create(i as u64 + 1, &RecordId::new_v7(3, [i as u8; 10]), Collection::Window, &group, Visibility::Group, &t, &[
            ("name", json!("窓口")),
            ("type", json!("municipal_welfare")),
            ("url", json!(url)),
        ]);
        let e = m.validate(nimo_core::collections::schema(Collection::Window)).expect_err(url);
        assert_eq!(e.path, "fields.url", "{url}");
    }
}

#[tokio::test]
async fn a_member_cannot_bury_another_members_attendance_before_it_exists() {
    let app = spawn_app().await;
    let (coordinator, member) = coordinator_and_member(&app).await;
    let meeting = RecordId::new_v7(4, [4; 10]);
    let theirs = attendance_id(&meeting, &coordinator.me.user);
    let c = client_id(4);
    let delete = Mutation { seq: 1, id: theirs.clone(), collection: Collection::Attendance, group: member.group().clone(), op: Op::Delete { t: stamp(1_790_000_000_000, &c) } };
    let response = push_ok(&member, &base(&app), &push_request(&c, vec![delete])).await;
    assert!(matches!(&response.acks[0].result, AckResult::Rejected { error: ErrorCode::Forbidden, .. }), "{:?}", response.acks[0].result);
    // The attendance can still be recorded.
    let c2 = client_id(5);
    let t = stamp(1_790_000_001_000, &c2);
    let attend = create(1, &theirs, Collection::Attendance, coordinator.group(), Visibility::Group, &t, &[
        ("meeting", json!(meeting.to_string())),
        ("member", json!(coordinator.me.user.to_string())),
        ("attended", json!(true)),
    ]);
    let response = push_ok(&coordinator, &base(&app), &push_request(&c2, vec![attend])).await;
    assert_eq!(response.acks[0].result, AckResult::Applied);
}

#[tokio::test]
async fn a_profile_is_its_owner_s_own_and_only_theirs_to_change() {
    use nimo_core::contacts::profile::Profile;
    let app = spawn_app().await;
    let (coordinator, member) = coordinator_and_member(&app).await;
    let c = client_id(6);
    let t = stamp(1_790_000_000_000, &c);
    let profile = |seq: u64, id: &RecordId, who: &Member| {
        create(seq, id, Collection::Profile, who.group(), Visibility::Group, &t, &[("visitor_trained_on", json!("2024-06-01")), ("visitor_prefecture", json!("280003"))])
    };
    // A member cannot write a profile under someone else's id.
    let theirs = Profile::id(coordinator.group(), &coordinator.me.user);
    let response = push_ok(&member, &base(&app), &push_request(&c, vec![profile(1, &theirs, &member)])).await;
    assert!(matches!(&response.acks[0].result, AckResult::Rejected { error: ErrorCode::Forbidden, field: Some(f), .. } if f == "id"), "{:?}", response.acks[0].result);
    // Their own, yes; and then the coordinator cannot change it.
    let own = Profile::id(member.group(), &member.me.user);
    let response = push_ok(&member, &base(&app), &push_request(&c, vec![profile(2, &own, &member)])).await;
    assert_eq!(response.acks[0].result, AckResult::Applied);
    let c2 = client_id(7);
    let edit = create(1, &own, Collection::Profile, member.group(), Visibility::Group, &stamp(1_790_000_001_000, &c2), &[("visitor_prefecture", json!("130001"))]);
    let response = push_ok(&coordinator, &base(&app), &push_request(&c2, vec![edit])).await;
    assert!(matches!(&response.acks[0].result, AckResult::Rejected { error: ErrorCode::Forbidden, .. }), "{:?}", response.acks[0].result);
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_its_side_files_backups_and_journal_are_private() {
    // SAFETY: umask only changes the mode of files created from now on; the
    // test wants the common default explicitly.
    unsafe { libc::umask(0o022) };
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("fresh");
    let app = spawn_app_with(tempfile::tempdir().unwrap(), |config| {
        config.database = nested.join("nimo.sqlite3");
        config.backups = nimo_server::storage::BackupPolicy::beside(&config.database);
    })
    .await;
    let (coordinator, _) = coordinator_and_member(&app).await;
    let c = client_id(6);
    push_ok(&coordinator, &base(&app), &push_request(&c, vec![nimo_tests::protocol::contact(1, &RecordId::new_v7(6, [6; 10]), coordinator.group(), Visibility::Private, &stamp(1_790_000_000_000, &c), "秘密")])).await;
    let backup = nested.join("copy.sqlite3");
    app.db().backup(&backup).await.unwrap();
    let db = nested.join("nimo.sqlite3");
    assert_eq!(mode(&nested), 0o700, "the directory it created");
    for file in [db.clone(), nested.join("nimo.sqlite3-wal"), nested.join("nimo.sqlite3-shm"), backup] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    let journal_dir = nested.join("nimo.sqlite3.backups");
    assert_eq!(mode(&journal_dir), 0o700);
    for entry in std::fs::read_dir(&journal_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    // An existing database readable by others is reported at start.
    drop(app);
    let loose = dir.path().join("loose.sqlite3");
    std::fs::write(&loose, b"").unwrap();
    std::fs::set_permissions(&loose, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let db = nimo_server::storage::Database::open(&loose).unwrap();
    // SQLite gives -wal and -shm the database's mode: all three are named.
    assert!(db.exposed_files().contains(&loose), "{:?}", db.exposed_files());
}

#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let app = spawn_app_with(tempfile::tempdir().unwrap(), |config| config.limits.header_timeout = Duration::from_secs(1)).await;
    let addr = app.addr;
    let cut_off = |first: &'static [u8]| {
        std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            stream.write_all(first).unwrap();
            let started = Instant::now();
            let mut buffer = [0u8; 256];
            // The server closes the connection (read returns 0 or an error,
            // possibly after a 408) long before our 10 s.
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => return started.elapsed(),
                    Ok(_) => {}
                }
            }
        })
    };
    let half = cut_off(b"GET /api/health HTTP/1.1\r\nHost: x\r\n");
    let silent = cut_off(b"");
    for waiting in [half, silent] {
        let took = tokio::task::spawn_blocking(move || waiting.join().unwrap()).await.unwrap();
        assert!(took < Duration::from_secs(5), "cut off after {took:?}");
    }
    // Meanwhile the server answers others.
    assert_eq!(new_client().get(app.url("/api/health")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_https_server_sends_hsts_and_secure_cookies_whatever_the_case_of_its_scheme() {
    let app = spawn_app_with(tempfile::tempdir().unwrap(), |config| config.public_url = "HTTPS://nimo.example.jp".into()).await;
    let r = new_client().get(app.url("/api/health")).send().await.unwrap();
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    let (_, code) = app.create_group("https").await;
    let r = new_client().post(app.url("/api/join")).json(&app.join_request(&code, "securecookie", "correct horse battery").await.0).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    let plain = spawn_app().await;
    let r = new_client().get(plain.url("/api/health")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn a_session_has_an_absolute_lifetime() {
    let app = spawn_app().await;
    let (coordinator, _) = coordinator_and_member(&app).await;
    let ninety_one_days = (91u64 * 24 * 3600 * 1000) as i64;
    let device = coordinator.me.device.to_string();
    let conn = rusqlite::Connection::open(app.database_path()).unwrap();
    // Used a minute ago, but made 91 days ago.
    conn.execute("UPDATE sessions SET created_ms = created_ms - ?2 WHERE id = ?1", rusqlite::params![device, ninety_one_days]).unwrap();
    let (status, body) = error(coordinator.client.get(app.url("/api/me")).send().await.unwrap()).await;
    assert_eq!((status, body.error), (401, ErrorCode::SessionExpired));
}

#[tokio::test]
async fn a_bearer_session_is_never_a_cookie_and_a_cookie_is_gone_once_bearer() {
    let app = spawn_app().await;
    let (_, code) = app.create_group("bearer").await;
    let body = JoinRequest { bearer: true, ..app.join_request(&code, "bearer", "correct horse battery").await.0 };
    let client = new_client();
    let r = client.post(app.url("/api/join")).json(&body).send().await.unwrap();
    assert!(r.headers().get("set-cookie").is_none(), "no cookie for a bearer session");
    let me: Me = r.json().await.unwrap();
    let token = me.session_token.expect("the token is in the answer");
    let with_bearer = |path: &str| new_client().get(app.url(path)).header("authorization", format!("Bearer {token}"));
    assert_eq!(with_bearer("/api/me").send().await.unwrap().status(), 200);
    let as_cookie = new_client().get(app.url("/api/me")).header("cookie", format!("nimo_session={token}")).send().await.unwrap();
    assert_eq!(as_cookie.status(), 401, "a bearer token is not accepted as a cookie");

    // A cookie session moved to bearer: the cookie stops working.
    let (_, code2) = app.create_group("bearer two").await;
    let phone = app.join(&code2, "moving").await;
    let r = phone.client.put(app.url("/api/session/mode")).json(&SessionMode { bearer: true }).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let new_token = r.json::<SessionToken>().await.unwrap().token.expect("a bearer token");
    let r = phone.client.get(app.url(&format!("/api/sync/pull?schema={}", nimo_core::SCHEMA_VERSION))).send().await.unwrap();
    assert_eq!(r.status(), 401, "the browser's cookie no longer reaches the records");
    let r = new_client().get(app.url(&format!("/api/sync/pull?schema={}", nimo_core::SCHEMA_VERSION))).header("authorization", format!("Bearer {new_token}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
