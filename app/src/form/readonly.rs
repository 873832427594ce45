//! A record read, not edited: every field its collection's schema declares,
//! with its label, as a person reads it, for whoever may see a record but
//! not change it (another member's shared contact, a member's profile, a
//! directory entry for a member). One rendering for every collection, so a
//! field added to a schema appears here without a line of view code.
//!
//! Values are text nodes, never markup: a note that holds `<script>` shows
//! those characters.

use leptos::prelude::*;
use nimo_core::base::time::{Date, JstDateTime};
use nimo_core::collections;
use nimo_core::contacts::contact::Referrals;
use nimo_core::directory::correction::WindowRef;
use nimo_core::directory::national;
use nimo_core::directory::window::{Phones, Window};
use nimo_core::schema::field::FieldType;
use nimo_core::schema::{Doc, FieldSpec, Kind, Schema, Section, Vocab};
use nimo_core::sync::collection::{Collection, Role, access};
use nimo_core::sync::record::Record;
use serde_json::Value;

use crate::i18n::{Texts, use_texts};
use crate::screens::crisis::tel_href;
use crate::state::{AppState, use_app};

/// Every filled field of `record`, by the sections of its schema; the
/// hospital section apart, under its heading, when it holds anything.
/// `skip` names fields the screen shows itself (a window's name as its
/// title).
#[component]
pub fn RecordFields(schema: &'static Schema, record: Record, #[prop(optional)] skip: &'static [&'static str]) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let shown = |section: Section| -> Vec<AnyView> {
        schema
            .in_section(section)
            .filter(|f| !skip.contains(&f.name))
            .filter_map(|f| record.get(f.name).and_then(|v| field_row(app, t, f, v)))
            .collect()
    };
    let main: Vec<AnyView> = shown(Section::Quick).into_iter().chain(shown(Section::Details)).collect();
    let hospital = shown(Section::Hospital);
    view! {
        <dl class="record-fields">{main}</dl>
        {(!hospital.is_empty()).then(|| view! {
            <section class="card" data-testid="hospital-section">
                <h2>{t.hospital_section}</h2>
                <dl class="record-fields">{hospital}</dl>
            </section>
        })}
    }
}

/// One field: its label and its value, or nothing for a value that says
/// nothing to a reader (an id, an empty list, a flag that is off).
fn field_row(app: AppState, t: &'static Texts, f: &'static FieldSpec, v: &Value) -> Option<AnyView> {
    let value = field_value(app, t, f, v)?;
    Some(view! { <div class="field-row" data-field=f.name><dt>{f.label.get(t.is_ja())}</dt><dd>{value}</dd></div> }.into_any())
}

fn field_value(app: AppState, t: &'static Texts, f: &'static FieldSpec, v: &Value) -> Option<AnyView> {
    let ja = t.is_ja();
    let text = |s: String| (!s.is_empty()).then(|| view! { <span>{s}</span> }.into_any());
    match f.kind {
        // Ids of other records and snapshots are for the app, not the reader.
        Kind::Ref | Kind::Refs | Kind::User | Kind::Snapshot => None,
        Kind::Flag => (v == &Value::Bool(true)).then(|| view! { <span>{t.yes}</span> }.into_any()),
        Kind::Note { .. } => {
            let s = v.as_str()?.to_owned();
            (!s.trim().is_empty()).then(|| view! { <span class="prewrap">{s}</span> }.into_any())
        }
        Kind::Date => v.as_str().and_then(|s| Date::parse(s).ok()).map(|d| view! { <span>{t.date(d)}</span> }.into_any()),
        Kind::DateTime => v.as_str().and_then(|s| JstDateTime::parse(s).ok()).map(|d| view! { <span>{t.datetime(d)}</span> }.into_any()),
        Kind::Phone => v.as_str().filter(|s| !s.is_empty()).map(|s| view! { <a class="tel" href=tel_href(s)>{s.to_owned()}</a> }.into_any()),
        Kind::Url { .. } => v.as_str().filter(|s| !s.is_empty()).map(|s| view! { <a href=s.to_owned() rel="noopener noreferrer" target="_blank">{s.to_owned()}</a> }.into_any()),
        Kind::Email { .. } => v.as_str().filter(|s| !s.is_empty()).map(|s| view! { <a href=format!("mailto:{s}")>{s.to_owned()}</a> }.into_any()),
        Kind::Phones => {
            let phones = Phones::parse(v).ok().filter(|p| !p.is_empty())?;
            Some(view! {
                <ul class="contacts">
                    {phones.iter().map(|p| view! { <li><a class="tel" href=tel_href(&p.number)><span class="number">{p.number.clone()}</span><small>{p.note.clone()}</small></a></li> }).collect_view()}
                </ul>
            }.into_any())
        }
        Kind::Referrals => {
            let list = Referrals::parse(v).ok().filter(|r| !r.is_empty())?;
            Some(view! {
                <ul class="rows" data-testid="referrals-read">
                    {list.iter().map(|r| {
                        let phone = referral_phone(app, &r.window);
                        view! {
                            <li>
                                <div>
                                    <strong>{r.name.clone()}</strong>
                                    <span class="tag">{r.state.label().get(ja)}</span>
                                    {r.on.map(|d| view! { <small>{t.date(d)}</small> })}
                                </div>
                                {phone.map(|p| view! { <a class="button secondary small tel" href=tel_href(&p)>{t.call}" "{p.clone()}</a> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any())
        }
        _ => text(collections::show(f, v, ja)),
    }
}

/// The number to call for a referral's window: the directory's entry on
/// this device, or the built-in national line.
fn referral_phone(app: AppState, window: &WindowRef) -> Option<String> {
    match window {
        WindowRef::Entry(id) => app.cache.get(Collection::Window, id).as_ref().and_then(Doc::<Window>::from_record).and_then(|w| w.data.phones.first().map(|p| p.number.clone())),
        WindowRef::National(id) => national::line(id).map(|l| l.phone.to_owned()),
        WindowRef::None => None,
    }
}

/// Who wrote a record, when it last changed, and who may change it, in
/// one short block above a read-only record.
#[component]
pub fn RecordMeta(record: Record) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let members = crate::state::sync::members(app);
    let owner = record.owner.clone();
    let author = move || {
        if app.user().as_ref() == Some(&owner) {
            return t.author_you.to_owned();
        }
        members.with(|list| list.iter().find(|m| m.id == owner).map(|m| m.display_name.clone())).unwrap_or_else(|| t.author_member.to_owned())
    };
    let changed = t.moment(record.max_stamp().ms());
    let why = read_only_why(t, record.collection);
    view! {
        <div class="record-meta" data-testid="record-meta">
            <p><strong>{t.written_by}</strong>"："{author}</p>
            <p><strong>{t.last_changed}</strong>"："{changed}</p>
            <p class="notice info">{why}</p>
        </div>
    }
}

/// Who may change a record of this collection, in one line (the access
/// rules say it: coordinators, or the author alone).
pub fn read_only_why(t: &'static Texts, c: Collection) -> &'static str {
    if c == Collection::Profile {
        t.read_only_profile
    } else if access::can_update(c, Role::Coordinator, false, nimo_core::sync::collection::Visibility::Group) {
        t.read_only_coordinators
    } else {
        t.not_yours
    }
}
