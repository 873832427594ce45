//! The authorization matrix: every endpoint, called without a session, with
//! an expired session, from a revoked device, by a member of another group,
//! by a member reaching for another member's private record, and by a
//! member attempting a coordinator's action. Each is refused with the right
//! status, and no error body carries anything but the error.

use nimo_core::api::{ErrorBody, ErrorCode};
use nimo_core::crypto::b64;
use nimo_core::sync::collection::{Collection, Role, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::{AckResult, FieldWrite, Mutation, Op};
use nimo_tests::protocol::{client_id, contact, pull_all, push_ok, push_request, stamp};
use nimo_tests::{Member, TestApp, new_client, spawn_app};
use reqwest::Method;
use serde_json::json;

const SECRET: &str = "SECRET-NOTE-眠れない";

struct World {
    app: TestApp,
    coordinator: Member,
    member: Member,
    other_member: Member,
    outsider: Member,
    private_record: RecordId,
    shared_record: RecordId,
    invite_id: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (coordinator, mut members) = app.group_with("groupA", 2).await;
    let other_member = members.pop().unwrap();
    let member = members.pop().unwrap();
    let (outsider, _) = app.group_with("groupB-other", 0).await;
    let invite = app.invite(&coordinator, Role::Member).await;
    let client = client_id(1);
    let private_record = RecordId::new_v7(1, [1; 10]);
    let shared_record = RecordId::new_v7(1, [2; 10]);
    let t = stamp(1_790_000_000_000, &client);
    let group = member.group().clone();
    let acks = push_ok(
        &member,
        &format!("http://{}", app.addr),
        &push_request(&client, vec![
            contact(1, &private_record, &group, Visibility::Private, &t, SECRET),
            contact(2, &shared_record, &group, Visibility::Group, &t, "shared note"),
        ]),
    )
    .await;
    assert!(acks.acks.iter().all(|a| a.result == AckResult::Applied));
    World { app, coordinator, member, other_member, outsider, private_record, shared_record, invite_id: invite.created.id }
}

/// Every endpoint, with a body where it takes one.
fn endpoints(w: &World) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let g = w.member.group();
    let u = &w.member.me.user;
    let push = serde_json::to_value(push_request(&client_id(9), vec![])).unwrap();
    vec![
        (Method::GET, "/api/me".into(), None),
        (Method::GET, "/api/devices".into(), None),
        (Method::DELETE, format!("/api/devices/{}", w.member.me.device), None),
        (Method::POST, "/api/auth/logout".into(), None),
        (Method::POST, "/api/groups/join".into(), Some(json!({"lookup": b64(&[1; 32])}))),
        (Method::GET, "/api/keys".into(), None),
        (Method::GET, format!("/api/groups/{g}/members"), None),
        (Method::POST, format!("/api/groups/{g}/members/{u}/remove"), Some(rotation())),
        (Method::PUT, format!("/api/groups/{g}/members/{u}/role"), Some(json!({"role": "coordinator"}))),
        (Method::GET, format!("/api/groups/{g}/recovery"), None),
        (Method::POST, format!("/api/groups/{g}/keys"), Some(json!({"epochs": []}))),
        (Method::GET, format!("/api/groups/{g}/invites"), None),
        (Method::POST, format!("/api/groups/{g}/invites"), Some(invite_body(g, "member"))),
        (Method::DELETE, format!("/api/groups/{g}/invites/{}", w.invite_id), None),
        (Method::POST, "/api/sync/push".into(), Some(push)),
        (Method::GET, format!("/api/sync/pull?schema={}", nimo_core::SCHEMA_VERSION), None),
    ]
}

/// A removal's body, well formed (what it seals is never opened here).
fn rotation() -> serde_json::Value {
    json!({"epoch": 2, "envelopes": [], "history": b64(&[0; 60]), "recovery_envelope": b64(&[0; 92])})
}

/// An invite's body, well formed.
fn invite_body(g: &nimo_core::sync::ids::GroupId, role: &str) -> serde_json::Value {
    json!({"role": role, "days": 7, "max_uses": 1, "lookup": b64(&[2; 32]), "key": {"group": g, "epoch": 1, "wrapped": b64(&[0; 60])}})
}

async fn call(app: &TestApp, client: &reqwest::Client, (method, path, body): &(Method, String, Option<serde_json::Value>)) -> (u16, String) {
    let mut req = client.request(method.clone(), app.url(path));
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// An error body is exactly an error: a code, a message, maybe a field or
/// detail, and none of the group's data.
fn assert_bare_error(body: &str, expected: ErrorCode, context: &str) {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{context}: not JSON: {body}"));
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert!(keys.iter().all(|k| ["error", "message", "field", "detail", "reason"].contains(&k.as_str())), "{context}: {body}");
    let parsed: ErrorBody = serde_json::from_value(value).unwrap();
    assert_eq!(parsed.error, expected, "{context}: {body}");
    for secret in [SECRET, "shared note", "groupA", "さん"] {
        assert!(!body.contains(secret), "{context}: the body leaks {secret:?}: {body}");
    }
}

#[tokio::test]
async fn without_a_session_everything_but_health_is_refused() {
    let w = world().await;
    let anonymous = new_client();
    for endpoint in endpoints(&w) {
        let (status, body) = call(&w.app, &anonymous, &endpoint).await;
        assert_eq!(status, 401, "{} {}", endpoint.0, endpoint.1);
        assert_bare_error(&body, ErrorCode::Unauthenticated, &endpoint.1);
    }
    assert_eq!(anonymous.get(w.app.url("/api/health")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_expired_session_is_refused_everywhere() {
    let w = world().await;
    let conn = rusqlite::Connection::open(w.app.database_path()).unwrap();
    conn.execute("UPDATE sessions SET last_seen_ms = 1 WHERE id = ?1", [w.member.me.device.as_str()]).unwrap();
    for endpoint in endpoints(&w) {
        let (status, body) = call(&w.app, &w.member.client, &endpoint).await;
        assert_eq!(status, 401, "{} {}", endpoint.0, endpoint.1);
        assert_bare_error(&body, ErrorCode::SessionExpired, &endpoint.1);
    }
}

#[tokio::test]
async fn a_revoked_device_is_refused_everywhere() {
    let w = world().await;
    let second = w.app.login(&w.member.me.login).await;
    let r = second.client.delete(w.app.url(&format!("/api/devices/{}", w.member.me.device))).send().await.unwrap();
    assert_eq!(r.status(), 204);
    for endpoint in endpoints(&w) {
        let (status, body) = call(&w.app, &w.member.client, &endpoint).await;
        assert_eq!(status, 401, "{} {}", endpoint.0, endpoint.1);
        assert_bare_error(&body, ErrorCode::DeviceRevoked, &endpoint.1);
    }
}

#[tokio::test]
async fn a_member_of_another_group_sees_nothing_of_this_one() {
    let w = world().await;
    let g = w.member.group();
    // Group endpoints answer 404: the group's existence is not confirmed.
    for path in [format!("/api/groups/{g}/members"), format!("/api/groups/{g}/invites")] {
        let r = w.outsider.client.get(w.app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_bare_error(&r.text().await.unwrap(), ErrorCode::NotFound, &path);
    }
    let r = w.outsider.client.post(w.app.url(&format!("/api/groups/{g}/members/{}/remove", w.member.me.user))).json(&rotation()).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Pull: none of group A's records.
    let base = format!("http://{}", w.app.addr);
    for page in pull_all(&w.outsider.client, &base, None).await {
        assert!(page.records.iter().all(|r| r.group != *g), "an outsider pulled group A's record");
    }
    // Push: writing into group A, or over one of its records, is rejected
    // without revealing the record.
    let client = client_id(3);
    let t = stamp(1_790_000_100_000, &client);
    let into_group = contact(1, &RecordId::new_v7(2, [5; 10]), g, Visibility::Group, &t, "intruder");
    let over_record = Mutation {
        seq: 2,
        id: w.shared_record.clone(),
        collection: Collection::Contact,
        group: w.outsider.group().clone(),
        op: Op::Put { visibility: None, fields: vec![FieldWrite { field: "note".into(), v: json!("overwritten"), t, base: None }] },
    };
    let response = push_ok(&w.outsider, &base, &push_request(&client, vec![into_group, over_record])).await;
    for ack in &response.acks {
        match &ack.result {
            AckResult::Rejected { current, error, .. } => {
                assert!(current.is_none(), "a rejection must not hand over the record");
                assert!(matches!(error, ErrorCode::Forbidden | ErrorCode::NotFound), "{error:?}");
            }
            other => panic!("accepted a write into another group: {other:?}"),
        }
    }
    let body = serde_json::to_string(&response).unwrap();
    assert!(!body.contains("shared note") && !body.contains(SECRET));
}

#[tokio::test]
async fn a_member_cannot_read_or_write_another_member_s_private_record() {
    let w = world().await;
    let base = format!("http://{}", w.app.addr);
    let pages = pull_all(&w.other_member.client, &base, None).await;
    let ids: Vec<&RecordId> = pages.iter().flat_map(|p| p.records.iter().map(|r| &r.id)).collect();
    assert!(!ids.contains(&&w.private_record), "another member pulled a private record");
    assert!(ids.contains(&&w.shared_record), "the shared record is visible to the group");
    // Not even the coordinator sees it.
    let pages = pull_all(&w.coordinator.client, &base, None).await;
    assert!(pages.iter().all(|p| p.records.iter().all(|r| r.id != w.private_record)));

    let client = client_id(4);
    let t = stamp(1_790_000_200_000, &client);
    let edit = |seq: u64, id: &RecordId| Mutation {
        seq,
        id: id.clone(),
        collection: Collection::Contact,
        group: w.member.group().clone(),
        op: Op::Put { visibility: None, fields: vec![FieldWrite { field: "note".into(), v: json!("changed by someone else"), t, base: None }] },
    };
    let delete = Mutation { seq: 3, op: Op::Delete { t }, ..edit(3, &w.private_record) };
    let response = push_ok(&w.other_member, &base, &push_request(&client, vec![edit(1, &w.private_record), edit(2, &w.shared_record), delete])).await;
    match &response.acks[0].result {
        AckResult::Rejected { error, current, .. } => {
            assert_eq!(*error, ErrorCode::NotFound);
            assert!(current.is_none());
        }
        other => panic!("{other:?}"),
    }
    match &response.acks[1].result {
        // A shared contact is still its author's account: readable, not writable.
        AckResult::Rejected { error, current, .. } => {
            assert_eq!(*error, ErrorCode::Forbidden);
            assert_eq!(current.as_ref().map(|r| r.id.clone()), Some(w.shared_record.clone()));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(response.acks[2].result, AckResult::Rejected { error: ErrorCode::NotFound, .. }));
    // The owner's record is untouched.
    let pages = pull_all(&w.member.client, &base, None).await;
    let mine = pages.iter().flat_map(|p| p.records.iter()).find(|r| r.id == w.private_record).unwrap();
    assert_eq!(w.member.open(mine).text("note"), Some(SECRET));
}

#[tokio::test]
async fn a_member_cannot_do_a_coordinator_s_work() {
    let w = world().await;
    let g = w.member.group();
    let coordinator_only = [
        (Method::POST, format!("/api/groups/{g}/members/{}/remove", w.other_member.me.user), Some(rotation())),
        (Method::PUT, format!("/api/groups/{g}/members/{}/role", w.member.me.user), Some(json!({"role": "coordinator"}))),
        (Method::GET, format!("/api/groups/{g}/invites"), None),
        (Method::POST, format!("/api/groups/{g}/invites"), Some(invite_body(g, "coordinator"))),
        (Method::DELETE, format!("/api/groups/{g}/invites/{}", w.invite_id), None),
    ];
    for endpoint in &coordinator_only {
        let (status, body) = call(&w.app, &w.member.client, endpoint).await;
        assert_eq!(status, 403, "{} {}", endpoint.0, endpoint.1);
        assert_bare_error(&body, ErrorCode::Forbidden, &endpoint.1);
    }
    // A member may see who is in the group (for meeting attendance).
    let r = w.member.client.get(w.app.url(&format!("/api/groups/{g}/members"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Directory entries are the coordinator's to create.
    let client = client_id(5);
    let t = stamp(1_790_000_300_000, &client);
    let window = nimo_tests::protocol::create(1, &RecordId::new_v7(3, [7; 10]), Collection::Window, g, Visibility::Group, &t, &[
        ("name", json!("○○市 障害福祉課")),
        ("type", json!("municipal_welfare")),
    ]);
    let base = format!("http://{}", w.app.addr);
    let response = push_ok(&w.member, &base, &push_request(&client, vec![window.clone()])).await;
    assert!(matches!(response.acks[0].result, AckResult::Rejected { error: ErrorCode::Forbidden, .. }));
    let response = push_ok(&w.coordinator, &base, &push_request(&client_id(6), vec![window])).await;
    assert_eq!(response.acks[0].result, AckResult::Applied);
}
