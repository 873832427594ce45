//! The three ways sync once lost a person's words, replayed step by step
//! with two phones of one user (devices 0 and 1) and the real server.

use nimo_core::sync::client::{Change, ChangeKind, EngineError};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::MAX_CLOCK_AHEAD_MS;
use nimo_core::sync::record::Record;
use nimo_tests::sim::Case;
use serde_json::{Value, json};

async fn quiet_case() -> Case {
    let case = Case::new(7).await;
    case.set_faults(false);
    case
}

async fn put(case: &Case, d: usize, id: &RecordId, fields: &[(&str, Value)], seen: Option<&Record>) -> Result<Record, EngineError> {
    let fields = fields.iter().map(|(f, v)| ((*f).to_owned(), v.clone())).collect();
    let kind = ChangeKind::Put { visibility: Some(Visibility::Group), fields, seen: seen.cloned().map(Box::new) };
    case.devices[d].engine.change(Change { collection: Collection::Contact, id: id.clone(), group: case.group_of(d), kind }).await
}

async fn sync(case: &Case, d: usize) {
    case.devices[d].engine.sync().await.unwrap_or_else(|e| panic!("device {d} syncs: {e}"));
}

/// A shared contact made on device 0 and known to device 1.
async fn shared_contact(case: &Case) -> RecordId {
    let id = case.devices[0].engine.new_record_id();
    put(case, 0, &id, &[("at", json!("2026-11-24T10:00")), ("mode", json!("phone")), ("person", json!("Aさん")), ("note", json!("元のメモ"))], None)
        .await
        .unwrap();
    sync(case, 0).await;
    sync(case, 1).await;
    id
}

#[tokio::test(flavor = "current_thread")]
async fn a_form_left_open_does_not_undo_another_phones_edit() {
    let case = quiet_case().await;
    let id = shared_contact(&case).await;
    // Phone 1 opens the record and starts typing a note.
    let opened = case.record_on(0, &id).await.unwrap();
    case.advance(10_000);
    // Phone 2 changes the person and the note, and syncs.
    put(&case, 1, &id, &[("person", json!("Bさん")), ("note", json!("A2のメモ"))], None).await.unwrap();
    sync(&case, 1).await;
    // Phone 1's background sync brings that in while the form is open.
    case.advance(10_000);
    sync(&case, 0).await;
    // Phone 1 saves its form: the person as it was opened, a new note.
    put(&case, 0, &id, &[("at", json!("2026-11-24T10:00")), ("mode", json!("phone")), ("person", json!("Aさん")), ("note", json!("A1のメモ"))], Some(&opened))
        .await
        .unwrap();
    sync(&case, 0).await;
    sync(&case, 1).await;
    let server = case.record_on_server(0, &id).await.unwrap();
    assert_eq!(server.text("person"), Some("Bさん"), "the untouched field keeps the other phone's edit");
    assert_eq!(server.text("note"), Some("A1のメモ"));
    let conflicts: Vec<&Value> = server.open_conflicts().map(|c| &c.v).collect();
    assert_eq!(conflicts, vec![&json!("A2のメモ")], "the other phone's note is kept, shown as a conflict");
    assert_eq!(case.record_on(1, &id).await.unwrap().open_conflicts().count(), 1, "and the other phone shows it too");
}

#[tokio::test(flavor = "current_thread")]
async fn an_edit_to_a_record_deleted_elsewhere_is_kept_in_the_refused_log() {
    let case = quiet_case().await;
    let id = shared_contact(&case).await;
    case.devices[0]
        .engine
        .change(Change { collection: Collection::Contact, id: id.clone(), group: case.group_of(0), kind: ChangeKind::Delete })
        .await
        .unwrap();
    sync(&case, 0).await;
    // Phone 2 has not heard of the delete and writes down what it was told.
    put(&case, 1, &id, &[("note", json!("消されたくない大事な話"))], None).await.unwrap();
    sync(&case, 1).await;
    let state = case.devices[1].engine.state().await.unwrap().unwrap();
    let refused = state.rejected.iter().find(|r| r.mutation.id == id).expect("the refused change is kept");
    assert_eq!(refused.error, nimo_core::api::ErrorCode::Deleted);
    assert!(format!("{:?}", refused.mutation.op).contains("消されたくない大事な話"));
    assert!(case.record_on(1, &id).await.unwrap().is_deleted());
    // And the device will not queue another edit of it.
    assert_eq!(put(&case, 1, &id, &[("note", json!("もう一度"))], None).await.unwrap_err(), EngineError::Deleted);
}

#[tokio::test(flavor = "current_thread")]
async fn a_phone_whose_clock_jumps_ahead_does_not_win_over_a_later_edit() {
    let case = quiet_case().await;
    let id = shared_contact(&case).await;
    // Phone 1's clock jumps two hours ahead while the app is open: stamps
    // follow the monotonic clock, so an edit 1.5 s later elsewhere wins.
    case.shift_wall_clock(0, 2 * 3600 * 1000);
    case.advance(1_000);
    put(&case, 0, &id, &[("person", json!("早い時計"))], None).await.unwrap();
    case.advance(1_500);
    put(&case, 1, &id, &[("person", json!("あとの編集"))], None).await.unwrap();
    sync(&case, 0).await;
    sync(&case, 1).await;
    assert_eq!(case.record_on_server(0, &id).await.unwrap().text("person"), Some("あとの編集"));

    // The clock is put right and the phone syncs; then the clock jumps again
    // while the app is closed. After the reload (no monotonic anchor) the
    // fast wall clock shows in the stamps: the server refuses them and the
    // phone stamps them again.
    case.shift_wall_clock(0, -2 * 3600 * 1000);
    sync(&case, 0).await;
    case.shift_wall_clock(0, 2 * 3600 * 1000);
    case.devices[0].engine.forget_anchor();
    case.advance(1_000);
    put(&case, 0, &id, &[("person", json!("再読み込み後"))], None).await.unwrap();
    case.advance(1_500);
    put(&case, 1, &id, &[("person", json!("さらにあと"))], None).await.unwrap();
    let report = case.devices[0].engine.sync().await.unwrap();
    assert!(report.restamped > 0, "the phone re-stamped its queued change");
    sync(&case, 1).await;
    sync(&case, 0).await;
    let server = case.record_on_server(0, &id).await.unwrap();
    assert_eq!(server.text("person"), Some("さらにあと"));
    assert!(server.max_stamp().ms() <= case.server_now() + MAX_CLOCK_AHEAD_MS, "no stamp from the future reached the server");
    assert_eq!(case.record_on(0, &id).await.unwrap(), case.record_on(1, &id).await.unwrap(), "both phones agree");
}

#[tokio::test(flavor = "current_thread")]
async fn a_batch_of_changes_is_saved_whole_or_not_at_all() {
    let case = quiet_case().await;
    let engine = &case.devices[0].engine;
    let group = case.group_of(0);
    let create = |id: RecordId, fields: Vec<(&str, Value)>| Change {
        collection: Collection::Contact,
        id,
        group: group.clone(),
        kind: ChangeKind::put(Some(Visibility::Group), fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
    };
    let good = |n: u32| create(engine.new_record_id(), vec![("at", json!("2026-11-24T10:00")), ("mode", json!("phone")), ("note", json!(format!("{n}")))]);
    let before = engine.unsent().await.unwrap();
    // The third change lacks a required field: nothing of the batch is kept.
    let bad = create(engine.new_record_id(), vec![("note", json!("no date"))]);
    let batch = vec![good(1), good(2), bad, good(4)];
    assert!(engine.change_many(batch).await.is_err());
    assert_eq!(engine.unsent().await.unwrap(), before, "nothing queued");
    let records = engine.change_many((0..100).map(good).collect()).await.unwrap();
    assert_eq!(records.len(), 100);
    assert_eq!(engine.unsent().await.unwrap(), before + 100);
    sync(&case, 0).await;
    for r in &records {
        assert!(case.record_on_server(0, &r.id).await.is_some(), "every change of the batch reached the server");
    }
}
