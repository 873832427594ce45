//! A record the person may see but not change, read whole
//! (`form::readonly`): another member's shared contact (`#/contact/<id>`
//! opens it), a member's profile, any collection (`#/record/<c>/<id>`).
//! It follows the cache: an edit or a delete arriving from sync shows on
//! the open page.

use leptos::prelude::*;
use nimo_core::collections;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;

use crate::form::readonly::{RecordFields, RecordMeta};
use crate::i18n::use_texts;
use crate::state::use_app;

/// The record's fields and who wrote it; 「削除されました」 once it is gone,
/// 「見つかりません」 if it never was on this device (another member's
/// private record is never sent here).
#[component]
pub fn ReadOnlyRecord(collection: Collection, id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let seen = StoredValue::new(false);
    move || match app.cache.get(collection, &id) {
        Some(record) if !record.is_deleted() => {
            seen.set_value(true);
            view! {
                <article data-testid="record-view">
                    <RecordMeta record=record.clone()/>
                    <RecordFields schema=collections::schema(collection) record/>
                </article>
            }
            .into_any()
        }
        _ if seen.get_value() => view! { <p class="notice warning" role="alert">{t.record_deleted}</p> }.into_any(),
        _ => view! { <p class="empty">{t.not_found}</p> }.into_any(),
    }
}

/// `#/record/<collection>/<id>`.
#[component]
pub fn RecordScreen(collection: Collection, id: RecordId) -> impl IntoView {
    let t = use_texts();
    view! {
        <h1>{t.collection_name(collection)}</h1>
        <ReadOnlyRecord collection id/>
    }
}
