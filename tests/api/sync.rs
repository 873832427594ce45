//! The sync endpoints over HTTP: exactly-once pushes, gaps, validation that
//! names the field, size limits, paging, and the reasons to resync.

use nimo_core::api::{ErrorBody, ErrorCode};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::{AckResult, FieldWrite, Mutation, Op, PullResponse, ResyncReason};
use nimo_core::sync::record::Stamped;
use nimo_tests::protocol::{client_id, contact, pull, pull_all, push, push_ok, push_raw, push_request, stamp};
use nimo_tests::{Member, TestApp, spawn_app};
use serde_json::json;

fn base(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

fn id(n: u8) -> RecordId {
    RecordId::new_v7(1_790_000_000_000 + u64::from(n), [n; 10])
}

async fn one_member() -> (TestApp, Member) {
    let app = spawn_app().await;
    let (coordinator, _) = app.group_with("sync", 0).await;
    (app, coordinator)
}

fn note_edit(seq: u64, record: &RecordId, m: &Member, t: nimo_core::sync::hlc::Hlc, base: Option<nimo_core::sync::hlc::Hlc>, text: &str) -> Mutation {
    Mutation {
        seq,
        id: record.clone(),
        collection: Collection::Contact,
        group: m.group().clone(),
        op: Op::Put { visibility: None, fields: vec![FieldWrite { field: "note".into(), v: json!(text), t, base }] },
    }
}

#[tokio::test]
async fn a_repeated_push_is_applied_once() {
    let (app, m) = one_member().await;
    let c = client_id(1);
    let req = push_request(&c, vec![contact(1, &id(1), m.group(), Visibility::Private, &stamp(1_790_000_000_000, &c), "一度だけ")]);
    let first = push_ok(&m, &base(&app), &req).await;
    assert_eq!(first.acks[0].result, AckResult::Applied);
    assert_eq!(first.next_seq, 2);
    let second = push_ok(&m, &base(&app), &req).await;
    assert_eq!(second.acks[0].result, AckResult::Duplicate);
    let pages = pull_all(&m.client, &base(&app), None).await;
    let records: Vec<_> = pages.iter().flat_map(|p| &p.records).collect();
    assert_eq!(records.len(), 1);
}

#[tokio::test]
async fn a_gap_in_the_stream_is_refused() {
    let (app, m) = one_member().await;
    let c = client_id(2);
    let t = stamp(1_790_000_000_000, &c);
    let later = push_ok(&m, &base(&app), &push_request(&c, vec![contact(2, &id(2), m.group(), Visibility::Private, &t, "second")])).await;
    assert!(later.acks.is_empty(), "seq 2 before seq 1 is not applied");
    assert_eq!(later.next_seq, 1);
    let both = push_ok(&m, &base(&app), &push_request(&c, vec![
        contact(1, &id(1), m.group(), Visibility::Private, &t, "first"),
        contact(2, &id(2), m.group(), Visibility::Private, &t, "second"),
    ]))
    .await;
    assert_eq!(both.acks.iter().filter(|a| a.result == AckResult::Applied).count(), 2);
}

#[tokio::test]
async fn an_invalid_field_is_rejected_by_name_and_the_stream_goes_on() {
    // What the server can check of sealed values: their names, that each is
    // sealed, under a key the record has, and that required ones are there.
    // The values themselves are checked on the devices.
    let (app, m) = one_member().await;
    let c = client_id(3);
    let t = stamp(1_790_000_000_000, &c);
    let mut unknown = contact(1, &id(1), m.group(), Visibility::Private, &t, "x");
    if let Op::Put { fields, .. } = &mut unknown.op {
        fields.push(FieldWrite { field: "full_name".into(), v: json!("山田太郎"), t, base: None });
    }
    let clear = contact(2, &id(2), m.group(), Visibility::Private, &t, "平文");
    let mut foreign_key = m.seal(contact(3, &id(3), m.group(), Visibility::Private, &t, "x"));
    if let Op::Put { fields, .. } = &mut foreign_key.op {
        // A value naming a key the record does not have.
        let note = fields.iter_mut().find(|w| w.field == "note").unwrap();
        let text = note.v.as_str().unwrap().to_owned();
        note.v = json!(text.replacen(&text[3..11], "ffffffff", 1));
    }
    let missing = nimo_tests::protocol::create(4, &id(4), Collection::Contact, m.group(), Visibility::Private, &t, &[("note", json!("no date"))]);
    let fine = contact(5, &id(5), m.group(), Visibility::Private, &t, "fine");
    let mutations = vec![m.seal(unknown), clear, foreign_key, m.seal(missing), m.seal(fine)];
    let r = push_raw(&m.client, &base(&app), &push_request(&c, mutations)).await;
    let response: nimo_core::sync::protocol::PushResponse = r.json().await.unwrap();
    let fields: Vec<Option<String>> = response
        .acks
        .iter()
        .map(|a| match &a.result {
            AckResult::Rejected { error: ErrorCode::InvalidField, field, .. } => field.clone(),
            AckResult::Applied => None,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(fields, vec![Some("fields.full_name".into()), Some("fields.at".into()), Some("fields.note".into()), Some("fields.at".into()), None]);
    assert_eq!(response.next_seq, 6, "rejected mutations count as processed");
}

#[tokio::test]
async fn bad_requests_get_a_clear_error() {
    let (app, m) = one_member().await;
    let url = app.url("/api/sync/push");
    let send = |body: Vec<u8>, content_type: &'static str| {
        m.client.post(url.clone()).header("content-type", content_type).body(body).send()
    };
    let body_of = |r: reqwest::Response| async move { (r.status().as_u16(), r.json::<ErrorBody>().await.unwrap()) };

    let (status, e) = body_of(send(b"{\"schema\": 1, \"client\":".to_vec(), "application/json").await.unwrap()).await;
    assert_eq!((status, e.error), (400, ErrorCode::Malformed));

    let wrong_type = json!({"schema": 1, "client": "0101010101010101", "mutations": [{"seq": "one"}]});
    let (status, e) = body_of(send(wrong_type.to_string().into_bytes(), "application/json").await.unwrap()).await;
    assert_eq!((status, e.error, e.field.as_deref()), (400, ErrorCode::InvalidField, Some("mutations[0].seq")));

    let bad_id = json!({"schema": 1, "client": "0101010101010101", "mutations": [{"seq": 1, "id": "not-an-id", "collection": "contact", "group": m.group(), "op": {"kind": "delete", "t": "x"}}]});
    let (_, e) = body_of(send(bad_id.to_string().into_bytes(), "application/json").await.unwrap()).await;
    assert_eq!(e.field.as_deref(), Some("mutations[0].id"));
    // A UUID's length and dashes, with one more dash among its digits: once
    // read past its end (a panic, the connection dropped without an answer).
    let dashed = json!({"schema": nimo_core::SCHEMA_VERSION, "client": "0101010101010101", "mutations": [{"seq": 1, "id": "0190f3e5-0000-7000-8000-0000000000-0", "collection": "contact", "group": m.group(), "op": {"kind": "delete", "t": "x"}}]});
    let (status, e) = body_of(send(dashed.to_string().into_bytes(), "application/json").await.unwrap()).await;
    assert_eq!((status, e.field.as_deref()), (400, Some("mutations[0].id")));

    let (status, e) = body_of(send(b"schema=1".to_vec(), "application/x-www-form-urlencoded").await.unwrap()).await;
    assert_eq!((status, e.error), (415, ErrorCode::UnsupportedMediaType));

    let huge = vec![b' '; 9 * 1024 * 1024];
    let (status, e) = body_of(send(huge, "application/json").await.unwrap()).await;
    assert_eq!((status, e.error), (413, ErrorCode::PayloadTooLarge));

    let old = json!({"schema": 1, "client": "0101010101010101", "mutations": []});
    let (status, e) = body_of(send(old.to_string().into_bytes(), "application/json").await.unwrap()).await;
    assert_eq!((status, e.error), (426, ErrorCode::ClientOutdated));

    let r = m.client.get(app.url("/api/sync/pull?schema=1")).send().await.unwrap();
    assert_eq!(r.status(), 426);
    let r = m.client.get(app.url(&format!("/api/sync/pull?schema={}&cursor=garbage", nimo_core::SCHEMA_VERSION))).send().await.unwrap();
    let (status, e) = body_of(r).await;
    assert_eq!((status, e.field.as_deref()), (400, Some("cursor")));
    let r = m.client.get(app.url(&format!("/api/sync/pull?schema={}&limit=5000", nimo_core::SCHEMA_VERSION))).send().await.unwrap();
    assert_eq!(body_of(r).await.1.field.as_deref(), Some("limit"));
    let r = m.client.get(app.url("/api/sync/pull")).send().await.unwrap();
    assert_eq!(body_of(r).await.1.error, ErrorCode::Malformed);

    // Small endpoints have a small limit.
    let big_login = json!({"login": "x".repeat(100_000), "auth": "p", "device_name": "d"});
    let r = m.client.post(app.url("/api/auth/login")).json(&big_login).send().await.unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn a_push_stamped_ahead_of_the_server_is_refused_with_its_time() {
    let (app, m) = one_member().await;
    let c = client_id(4);
    let now = nimo_server::clock::now_ms();
    for ahead in [4_102_444_800_000 - now, 6 * 60 * 1000] {
        let future = stamp(now + ahead, &c); // 2100, then six minutes ahead
        let r = push(&m, &base(&app), &push_request(&c, vec![contact(1, &id(1), m.group(), Visibility::Private, &future, "from the future")])).await;
        assert_eq!(r.status(), 409);
        let body: ErrorBody = r.json().await.unwrap();
        assert_eq!(body.error, ErrorCode::ClockAhead);
        assert!(body.server_ms.is_some_and(|s| s.abs_diff(now) < 60_000), "the answer carries the server's time");
    }
    // Within the tolerance (the device's correction is never exact), it applies.
    let near = stamp(now + 60 * 1000, &c);
    let response = push_ok(&m, &base(&app), &push_request(&c, vec![contact(1, &id(1), m.group(), Visibility::Private, &near, "in time")])).await;
    assert_eq!(response.acks[0].result, AckResult::Applied);
}

#[tokio::test]
async fn pages_miss_nothing_while_pushes_land_between_them() {
    let (app, m) = one_member().await;
    let c = client_id(5);
    let mut seq = 1;
    let mut written = std::collections::HashSet::new();
    for n in 0..30u8 {
        let t = stamp(1_790_000_000_000 + u64::from(n), &c);
        push_ok(&m, &base(&app), &push_request(&c, vec![contact(seq, &id(n), m.group(), Visibility::Private, &t, "a")])).await;
        written.insert(id(n));
        seq += 1;
    }
    let mut cursor: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    let mut n = 100u8;
    loop {
        let url = format!("{}/api/sync/pull?schema={}&limit=7{}", base(&app), nimo_core::SCHEMA_VERSION, cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default());
        let page: PullResponse = m.client.get(url).send().await.unwrap().json().await.unwrap();
        seen.extend(page.records.iter().map(|r| r.id.clone()));
        cursor = Some(page.cursor.clone());
        if !page.more {
            break;
        }
        // A push lands between pages: a new record and an edit of an old one.
        let t = stamp(1_790_000_100_000 + u64::from(n), &c);
        push_ok(&m, &base(&app), &push_request(&c, vec![
            contact(seq, &id(n), m.group(), Visibility::Private, &t, "new"),
            note_edit(seq + 1, &id(0), &m, t, None, "edited"),
        ]))
        .await;
        written.insert(id(n));
        seq += 2;
        n += 1;
    }
    assert_eq!(seen, written, "every record written before the pull ended was pulled");
}

#[tokio::test]
async fn concurrent_note_edits_keep_the_losing_text() {
    let (app, m) = one_member().await;
    let (phone, tablet) = (client_id(6), client_id(7));
    let t0 = stamp(1_790_000_000_000, &phone);
    push_ok(&m, &base(&app), &push_request(&phone, vec![contact(1, &id(1), m.group(), Visibility::Private, &t0, "元の文")])).await;
    // Both devices edit the same note, each having seen only the original.
    push_ok(&m, &base(&app), &push_request(&phone, vec![note_edit(2, &id(1), &m, stamp(1_790_000_000_500, &phone), Some(t0), "電話で書き直した")])).await;
    push_ok(&m, &base(&app), &push_request(&tablet, vec![note_edit(1, &id(1), &m, stamp(1_790_000_000_400, &tablet), Some(t0), "タブレットで書き直した")])).await;
    let pages = pull_all(&m.client, &base(&app), None).await;
    let record = m.open(pages.iter().flat_map(|p| &p.records).find(|r| r.id == id(1)).unwrap());
    assert_eq!(record.text("note"), Some("電話で書き直した"));
    let open: Vec<_> = record.open_conflicts().collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].v, json!("タブレットで書き直した"));
}

async fn resync_reason(r: reqwest::Response) -> Option<ResyncReason> {
    assert_eq!(r.status(), 409);
    let e: ErrorBody = r.json().await.unwrap();
    assert_eq!(e.error, ErrorCode::Resync);
    e.reason
}

#[tokio::test]
async fn a_cursor_from_before_a_change_of_groups_must_resync() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("access", 1).await;
    let member = &members[0];
    let pages = pull_all(&member.client, &base(&app), None).await;
    let cursor = pages.last().unwrap().cursor.clone();
    let invite = app.invite(&coordinator, nimo_core::sync::collection::Role::Coordinator).await;
    // The same member is promoted through an invite: access changed.
    let r = app.join_group(member, &invite.code).await;
    assert_eq!(r.status(), 200);
    let r = pull(&member.client, &base(&app), Some(&cursor)).await;
    assert_eq!(resync_reason(r).await, Some(ResyncReason::Access));
}

#[tokio::test]
async fn a_cursor_older_than_a_purged_delete_must_resync() {
    let (app, m) = one_member().await;
    let c = client_id(8);
    let t = stamp(1_790_000_000_000, &c);
    push_ok(&m, &base(&app), &push_request(&c, vec![contact(1, &id(1), m.group(), Visibility::Private, &t, "x")])).await;
    let cursor = pull_all(&m.client, &base(&app), None).await.last().unwrap().cursor.clone();
    let delete = Mutation { seq: 2, id: id(1), collection: Collection::Contact, group: m.group().clone(), op: Op::Delete { t: stamp(1_790_000_001_000, &c) } };
    push_ok(&m, &base(&app), &push_request(&c, vec![delete])).await;
    let far_future = 9_999_999_999_999;
    app.db().write(move |tx| nimo_server::storage::records::purge(tx, far_future).map_err(nimo_server::error::ApiError::from)).await.unwrap();
    let r = pull(&m.client, &base(&app), Some(&cursor)).await;
    assert_eq!(resync_reason(r).await, Some(ResyncReason::Horizon));
    // The id stays dead: a device holding an old copy cannot recreate it.
    let again = contact(3, &id(1), m.group(), Visibility::Private, &stamp(1_790_000_002_000, &c), "back?");
    let response = push_ok(&m, &base(&app), &push_request(&c, vec![again])).await;
    assert!(matches!(response.acks[0].result, AckResult::Rejected { error: ErrorCode::Deleted, .. }));
}

#[tokio::test]
async fn a_restored_server_tells_devices_to_start_over() {
    let (app, m) = one_member().await;
    let c = client_id(9);
    let t = stamp(1_790_000_000_000, &c);
    let first = push_ok(&m, &base(&app), &push_request(&c, vec![contact(1, &id(1), m.group(), Visibility::Private, &t, "x")])).await;
    let cursor = pull_all(&m.client, &base(&app), None).await.last().unwrap().cursor.clone();
    let backup = app.dir().join("backup.sqlite3");
    app.db().backup(&backup).await.unwrap();
    let dir = app.stop().await;
    nimo_server::storage::restore(&backup, &dir.path().join("nimo.sqlite3")).unwrap();
    let app = nimo_tests::spawn_app_in(dir, None).await;
    let r = pull(&m.client, &base(&app), Some(&cursor)).await;
    assert_eq!(resync_reason(r).await, Some(ResyncReason::Epoch));
    let mut req = push_request(&c, vec![contact(2, &id(2), m.group(), Visibility::Private, &t, "y")]);
    req.epoch = Some(first.epoch);
    let r = push(&m, &base(&app), &req).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().error, ErrorCode::EpochChanged);
}

#[tokio::test]
async fn making_a_shared_record_private_removes_it_from_other_devices() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("revoke", 1).await;
    let owner = &members[0];
    let c = client_id(10);
    let t = stamp(1_790_000_000_000, &c);
    push_ok(&owner, &base(&app), &push_request(&c, vec![contact(1, &id(1), owner.group(), Visibility::Group, &t, "shared for now")])).await;
    let pages = pull_all(&coordinator.client, &base(&app), None).await;
    assert!(pages.iter().any(|p| p.records.iter().any(|r| r.id == id(1))));
    let cursor = pages.last().unwrap().cursor.clone();
    let private = Mutation {
        seq: 2,
        id: id(1),
        collection: Collection::Contact,
        group: owner.group().clone(),
        op: Op::Put { visibility: Some(Stamped::new(Visibility::Private, stamp(1_790_000_001_000, &c))), fields: vec![] },
    };
    push_ok(&owner, &base(&app), &push_request(&c, vec![private])).await;
    let pages = pull_all(&coordinator.client, &base(&app), Some(cursor)).await;
    assert!(pages.iter().any(|p| p.removed.contains(&id(1))));
    assert!(pages.iter().all(|p| p.records.iter().all(|r| r.id != id(1))));
}

#[tokio::test]
async fn an_incremental_sync_with_nothing_new_is_small() {
    let (app, m) = one_member().await;
    let cursor = pull_all(&m.client, &base(&app), None).await.last().unwrap().cursor.clone();
    let r = pull(&m.client, &base(&app), Some(&cursor)).await;
    let header_bytes: usize = r.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let body = r.bytes().await.unwrap();
    assert!(body.len() + header_bytes < 1024, "{} body + {header_bytes} header bytes", body.len());
}

#[tokio::test]
async fn an_edit_to_a_deleted_record_is_rejected_not_swallowed() {
    let (app, m) = one_member().await;
    let (phone, tablet) = (client_id(11), client_id(12));
    let t0 = stamp(1_790_000_000_000, &phone);
    push_ok(&m, &base(&app), &push_request(&phone, vec![contact(1, &id(1), m.group(), Visibility::Group, &t0, "元の文")])).await;
    let delete = Mutation { seq: 2, id: id(1), collection: Collection::Contact, group: m.group().clone(), op: Op::Delete { t: stamp(1_790_000_001_000, &phone) } };
    push_ok(&m, &base(&app), &push_request(&phone, vec![delete])).await;
    // The tablet edited offline, before it heard of the delete.
    let edit = note_edit(1, &id(1), &m, stamp(1_790_000_002_000, &tablet), Some(t0), "オフラインで書いた大事な話");
    let response = push_ok(&m, &base(&app), &push_request(&tablet, vec![edit.clone()])).await;
    match &response.acks[0].result {
        AckResult::Rejected { error: ErrorCode::Deleted, current: Some(current), .. } => assert!(current.is_deleted()),
        other => panic!("an edit to a deleted record must be refused, not applied: {other:?}"),
    }
    // A retry gets the same answer.
    let again = push_ok(&m, &base(&app), &push_request(&tablet, vec![edit])).await;
    assert!(matches!(&again.acks[0].result, AckResult::Rejected { error: ErrorCode::Deleted, .. }));
}

#[tokio::test]
async fn a_restore_replays_from_the_journal_what_came_after_the_backup() {
    let app = spawn_app().await;
    let (coordinator, members) = app.group_with("journal", 1).await;
    let member = &members[0];
    let c = client_id(13);
    let t = |ms: u64| stamp(1_790_000_000_000 + ms, &c);
    push_ok(&member, &base(&app), &push_request(&c, vec![contact(1, &id(1), member.group(), Visibility::Group, &t(0), "バックアップ前")])).await;
    let backup = app.dir().join("backup.sqlite3");
    app.db().backup(&backup).await.unwrap();
    let after_backup = nimo_server::clock::now_ms();
    // After the backup: a new shared record and an edit, made by a member
    // whose phone is then lost.
    push_ok(&member, &base(&app), &push_request(&c, vec![
        contact(2, &id(2), member.group(), Visibility::Group, &t(10), "バックアップ後の記録"),
        note_edit(3, &id(1), member, t(20), Some(t(0)), "バックアップ後に直した"),
    ]))
    .await;
    let journal = app.dir().join("nimo.sqlite3.backups");
    let db_path = app.database_path();
    let dir = app.stop().await;

    // To the moment of the backup: nothing after it.
    let early = tempfile::tempdir().unwrap();
    let early_db = early.path().join("nimo.sqlite3");
    let replay = nimo_server::storage::restore_with_journal(&backup, &early_db, &journal, Some(after_backup - 1)).unwrap();
    assert_eq!(replay.merged, 0);

    // All of it: the lost phone's records come back.
    let replay = nimo_server::storage::restore_with_journal(&backup, &db_path, &journal, None).unwrap();
    assert_eq!(replay.merged, 2, "{replay:?}");
    let app = nimo_tests::spawn_app_in(dir, None).await;
    let pages = pull_all(&coordinator.client, &base(&app), None).await;
    let records: Vec<_> = pages.iter().flat_map(|p| &p.records).map(|r| coordinator.open(r)).collect();
    assert_eq!(records.iter().find(|r| r.id == id(2)).and_then(|r| r.text("note")), Some("バックアップ後の記録"));
    assert_eq!(records.iter().find(|r| r.id == id(1)).and_then(|r| r.text("note")), Some("バックアップ後に直した"));
}
