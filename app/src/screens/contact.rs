//! The contact form: quick entry for the common case (a phone call, one
//! worry, a short note: open, tap a worry, type, save), details below, the
//! hospital-visit section when 病院訪問 is chosen. Built from the schema
//! (`form`); this screen adds what is particular to contacts: drafts, the
//! record changing underneath an open form, the note's conflicts, the
//! crisis card, and the visitor's training.

use crate::handler;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::contacts::contact::{Contact, Mode};
use nimo_core::contacts::profile::Profile;
use nimo_core::schema::{Doc, FormValues, Input, Problems, Section, Typed, form_from_value, form_to_value};
use nimo_core::sync::client::{Change, ChangeKind, EngineError};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::record::Record;
use nimo_core::sync::wire::Wire;
use serde_json::Value;

use crate::components::confirm;
use crate::form::fields::{Field, Fields};
use crate::form::{FormState, ProblemSummary};
use crate::i18n::{Texts, use_texts};
use crate::platform::js;
use crate::route::go;
use crate::screens::crisis::CrisisCard;
use crate::screens::record::ReadOnlyRecord;
use crate::state::{AppState, SaveFailure, api, device, now_jst, use_app};

/// A draft older than this asks whether to use the time now.
const STALE_DRAFT_MS: u64 = 60 * 60 * 1000;

/// The draft key of a form: an edit, a new contact, or a new contact
/// begun from the finder (kept apart so that an older draft is not mixed in).
pub fn draft_key(id: Option<&RecordId>, from_finder: bool) -> String {
    match (id, from_finder) {
        (Some(id), _) => format!("contact:{id}"),
        (None, true) => "contact:finder".to_owned(),
        (None, false) => "contact:new".to_owned(),
    }
}

/// What a draft keeps: the form as typed, whether it is shared, the record
/// as it was when the form was opened (a save writes only what changed
/// from it), and when it was last typed in.
struct Draft {
    form: FormValues,
    shared: bool,
    seen: Option<Record>,
    saved_ms: u64,
}

impl Draft {
    fn to_value(&self) -> Value {
        nimo_core::object! {
            "form": form_to_value(&self.form),
            "shared": self.shared,
            "seen": self.seen.as_ref().map(Wire::to_wire),
            "saved_ms": self.saved_ms,
        }
    }

    fn from_value(v: &Value) -> Option<Self> {
        Some(Self {
            form: form_from_value(&Contact::SCHEMA, v.get("form")?),
            shared: v.get("shared").and_then(Value::as_bool).unwrap_or(false),
            seen: v.get("seen").filter(|s| !s.is_null()).and_then(|s| Record::from_wire(s).ok()),
            saved_ms: v.get("saved_ms").and_then(Value::as_u64).unwrap_or(0),
        })
    }
}

/// Starts a new contact from the finder: a fresh form with the referral and
/// the area (and the worries picked there), under its own draft key.
pub async fn start_from_finder(app: AppState, start: Contact) {
    let draft = Draft { form: start.to_inputs(), shared: false, seen: None, saved_ms: crate::platform::js::now_ms() };
    device::save_draft(app, &draft_key(None, true), &draft.to_value()).await;
    go("#/contact/new/finder");
}

#[component]
pub fn ContactScreen(#[prop(optional)] id: Option<RecordId>, #[prop(optional)] from_finder: bool) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let opened_record = id.as_ref().and_then(|id| app.cache.get(Collection::Contact, id));
    let existing = opened_record.as_ref().and_then(Doc::<Contact>::from_record);
    if id.is_some() && existing.is_none() {
        return view! { <h1>{t.contact_edit_title}</h1><p class="empty">{t.not_found}</p><a href="#/">{t.records_title}</a> }.into_any();
    }
    if let Some(doc) = &existing
        && !app.may_update(Collection::Contact, &doc.owner, doc.visibility)
    {
        return view! { <ContactReadOnly id=doc.id.clone()/> }.into_any();
    }
    let start: Contact = existing.as_ref().map(|d| d.data.clone()).unwrap_or_else(|| Contact::new(now_jst()));
    let form = FormState::new(&Contact::SCHEMA, &start.to_inputs());
    let shared = RwSignal::new(existing.as_ref().is_some_and(|d| d.visibility == Visibility::Group));
    // The record as the person saw it when they opened the form.
    let opened: StoredValue<Option<Record>> = StoredValue::new(opened_record);
    let remote = RwSignal::new(None::<Vec<&'static str>>);
    let key = draft_key(id.as_ref(), from_finder);
    let notice = RwSignal::new(None::<&'static str>);
    let stale = RwSignal::new(None::<u64>);
    let failure = RwSignal::new(None::<String>);
    let crisis = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let ready_for_drafts = RwSignal::new(false);
    let referral_first = RwSignal::new(from_finder);
    let untouched = start.to_inputs();
    form.details_open.set(id.is_some());

    let is_new = id.is_none();
    // Restore a draft, then keep saving one as the person types.
    {
        let key = key.clone();
        spawn_local(async move {
            if let Some(draft) = device::load_draft(app, &key).await.as_ref().and_then(Draft::from_value) {
                form.set_values(&draft.form);
                shared.set(draft.shared);
                if draft.seen.is_some() {
                    opened.set_value(draft.seen);
                }
                if !from_finder {
                    notice.set(Some(t.draft_restored));
                }
                let age = js::now_ms().saturating_sub(draft.saved_ms);
                if is_new && !from_finder && age > STALE_DRAFT_MS {
                    stale.set(Some(draft.saved_ms));
                }
            }
            ready_for_drafts.set(true);
        });
    }
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    {
        let key = key.clone();
        handler::effect(move |_| {
            let values = form.values();
            let is_shared = shared.get();
            // Merely opening a record is not a draft.
            if !ready_for_drafts.get() || (values == untouched && !from_finder) {
                return;
            }
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let key = key.clone();
            let draft = Draft { form: values, shared: is_shared, seen: opened.get_value(), saved_ms: js::now_ms() }.to_value();
            let h = set_timeout_with_handle(move || spawn_local(async move { device::save_draft(app, &key, &draft).await }), Duration::from_millis(300)).ok();
            pending.set_value(h);
        });
    }
    // Another device's change reaching this device while the form is open:
    // say so, with the new values, and take them where nothing was typed.
    if let Some(watched) = id.clone() {
        handler::effect(move |_| {
            let now = app.cache.get(Collection::Contact, &watched);
            let Some(before) = opened.get_value() else { return };
            let Some(now) = now else {
                remote.set(Some(Vec::new()));
                return;
            };
            if now.max_stamp() == before.max_stamp() {
                return;
            }
            let (Some(a), Some(b)) = (Doc::<Contact>::from_record(&before), Doc::<Contact>::from_record(&now)) else { return };
            let changed = follow(form, &a.data.to_inputs(), &b.data.to_inputs());
            if !changed.is_empty() {
                remote.update(|r| {
                    let list = r.get_or_insert_with(Vec::new);
                    for f in changed {
                        if !list.contains(&f) {
                            list.push(f);
                        }
                    }
                });
            }
        });
    }
    let mode = move || form.input("mode").with(|i| i.one().and_then(Mode::from_id));
    let is_hospital = move || mode() == Some(Mode::Hospital);
    // Setting the risk flag shows the crisis card at once.
    Effect::new(move |prev: Option<bool>| {
        let risk = form.input("risk").with(Input::flag);
        if prev == Some(false) && risk {
            crisis.set(true);
        }
        risk
    });
    // Anything typed after a warning asks again before saving.
    handler::effect(move |_| {
        form.values();
        confirming.set(false);
    });
    let profile = Memo::new(move |_| {
        let (Some(group), Some(user)) = (app.group.get(), app.user()) else { return Profile::default() };
        app.cache.get(Collection::Profile, &Profile::id(&group, &user)).and_then(|r| Doc::<Profile>::from_record(&r)).map(|d| d.data).unwrap_or_default()
    });

    let record_id = id.clone();
    let save_key = key.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let contact = match Contact::from_inputs(&form.values_untracked()) {
            Ok(c) => c,
            Err(problems) => {
                form.warnings.set(Problems::new());
                form.show(problems);
                return;
            }
        };
        form.problems.set(Problems::new());
        if contact.is_hospital_visit() && !profile.get_untracked().is_visitor() {
            failure.set(Some(t.visitor_profile_first.to_owned()));
            return;
        }
        let warnings = contact.warnings(now_jst().date);
        if !warnings.is_empty() && !confirming.get_untracked() {
            form.warnings.set(warnings.clone());
            form.show(Problems::new());
            if let Some(first) = Contact::SCHEMA.fields.iter().find(|f| warnings.contains_key(f.name)) {
                form.reveal(first.name);
            }
            // The Effect above resets `confirming` on the next change; set it after.
            request_animation_frame(move || confirming.set(true));
            return;
        }
        let (Some(group), Some(rid)) = (app.group.get_untracked(), record_id.clone().or_else(|| api::new_id(app))) else { return };
        busy.set(true);
        let key = save_key.clone();
        spawn_local(async move {
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let seen = opened.get_value().map(Box::new);
            let visibility = if shared.get_untracked() { Visibility::Group } else { Visibility::Private };
            let change = Change { collection: Collection::Contact, id: rid, group, kind: ChangeKind::Put { visibility: Some(visibility), fields: contact.changes(), seen } };
            match api::change(app, change).await {
                Ok(_) => {
                    device::drop_draft(app, &key).await;
                    app.flash.set(Some(t.saved_local.to_owned()));
                    go("#/");
                }
                Err(e) => failure.set(Some(save_error(t, &e))),
            }
            busy.set(false);
        });
    };
    let delete_id = id.clone();
    let delete_key = key.clone();
    let delete = move |_| {
        if !confirm(t.delete_confirm) {
            return;
        }
        let (Some(group), Some(rid)) = (app.group.get_untracked(), delete_id.clone()) else { return };
        let key = delete_key.clone();
        spawn_local(async move {
            match api::change(app, Change { collection: Collection::Contact, id: rid, group, kind: ChangeKind::Delete }).await {
                Ok(_) => {
                    device::drop_draft(app, &key).await;
                    go("#/");
                }
                Err(e) => failure.set(Some(save_error(t, &e))),
            }
        });
    };
    let discard_key = key.clone();
    let discard = move |_| {
        let key = discard_key.clone();
        spawn_local(async move { device::drop_draft(app, &key).await });
        notice.set(None);
        stale.set(None);
        form.set_values(&start.to_inputs());
    };
    let use_now = move |_| {
        let now = now_jst();
        form.input("at").set(Input::Text(now.to_string()));
        stale.set(None);
    };
    let is_edit = id.is_some();
    let may_delete = existing.as_ref().is_some_and(|d| app.may_delete(Collection::Contact, &d.owner));
    let conflicts_id = id.clone();
    let remote_id = id.clone();
    let report = id.clone();

    view! {
        <h1>{if is_edit { t.contact_edit_title } else { t.contact_new_title }}</h1>
        <CrisisCard open=crisis/>
        {move || remote.get().map(|changed| {
            let current = remote_id.as_ref().and_then(|id| app.cache.get(Collection::Contact, id)).and_then(|r| Doc::<Contact>::from_record(&r));
            match current {
                None => view! { <div class="notice warning" role="alert" data-testid="remote-change"><strong>{t.remote_deleted}</strong></div> }.into_any(),
                Some(c) => view! {
                    <div class="notice warning" role="alert" data-testid="remote-change">
                        <strong>{t.remote_changed}</strong>
                        <p>{t.remote_changed_lead}</p>
                        <ul>{changed.into_iter().map(|f| view! { <li><strong>{field_label(t, f)}</strong>"："{field_value(t, &c.data, f)}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
            }
        })}
        {move || notice.get().map(|n| view! {
            <p class="notice info" role="status" data-testid="draft-restored">{n}" " <button type="button" class="link" on:click=handler::click(discard.clone())>{t.discard_draft}</button></p>
        })}
        {move || stale.get().map(|ms| view! {
            <div class="notice warning" role="status" data-testid="stale-draft">
                <p>{t.stale_draft(ms)}</p>
                <div class="buttons">
                    <button type="button" class="button secondary" data-testid="use-now" on:click=handler::click(use_now)>{t.use_now}</button>
                    <button type="button" class="button secondary" on:click=handler::click(move |_| stale.set(None))>{t.keep_time}</button>
                </div>
            </div>
        })}
        <form class="contact-form" on:submit=handler::submit(save) novalidate data-testid="contact-form">
            <ProblemSummary form/>
            {move || failure.get().map(|f| view! { <p class="notice error" role="alert" data-testid="save-failure">{f}</p> })}
            {move || referral_first.get().then(|| view! { <Field form name="referrals"/> })}
            <Fields form section=Section::Quick/>
            {conflicts_id.map(|id| view! { <Conflicts id form/> })}
            <Show when=is_hospital>
                <section class="hospital card" data-testid="hospital-section">
                    <h2>{t.hospital_section}</h2>
                    <p class="notice info">{t.hospital_role}</p>
                    <Show when=move || !profile.get().is_visitor()>
                        <p class="notice warning" role="alert" data-testid="visitor-profile">{t.visitor_profile_first}" "<a href="#/settings/profile">{t.visitor_profile_link}</a></p>
                    </Show>
                    <Fields form section=Section::Hospital/>
                </section>
            </Show>
            <details class="card" prop:open=move || form.details_open.get() on:toggle=handler::toggle(move |ev| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                if form.details_open.get_untracked() != open { form.details_open.set(open); }
            })>
                <summary data-testid="details">{t.details}</summary>
                {move || if referral_first.get() {
                    view! { <Fields form section=Section::Details except=&["referrals", "actions"]/> }.into_any()
                } else {
                    view! { <Fields form section=Section::Details except=&["actions"]/> }.into_any()
                }}
                // A hospital visitor listens, talks about daily life and gives
                // information: only those are offered on a hospital visit.
                <Field form name="actions" only=Signal::derive(move || is_hospital().then_some(nimo_core::contacts::contact::Action::VISITOR_IDS))/>
                <label class="choice"><input type="checkbox" data-testid="shared" prop:checked=move || shared.get() on:change=handler::change(move |ev| shared.set(event_target_checked(&ev)))/><span>{t.shared}</span></label>
                <p class="hint">{t.shared_hint}</p>
            </details>
            {is_edit.then(|| view! {
                <div class="buttons">
                    {move || is_hospital().then(|| report.clone().map(|id| view! { <a class="button secondary" href=format!("#/contact/{id}/report")>{t.visit_report}</a> }))}
                    {may_delete.then(|| view! { <button type="button" class="button danger" data-testid="delete" on:click=handler::click(delete.clone())>{t.delete}</button> })}
                </div>
            })}
            <div class="savebar">
                <button type="submit" class="button wide save" data-testid="save" disabled=move || busy.get()>
                    {move || if busy.get() { t.working } else if confirming.get() { t.save_anyway } else { t.save }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// Another member's shared contact: read whole, with what the reader may
/// still do — open the crisis card, read and copy the 実施報告 of a
/// hospital visit, call a referral's window (in the fields).
#[component]
fn ContactReadOnly(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let crisis = RwSignal::new(false);
    let contact = {
        let id = id.clone();
        Memo::new(move |_| app.cache.get(Collection::Contact, &id).as_ref().and_then(Doc::<Contact>::from_record).map(|d| d.data))
    };
    let report = format!("#/contact/{id}/report");
    view! {
        <h1>{t.contact_view_title}</h1>
        <CrisisCard open=crisis/>
        <p><button type="button" class="button danger small" data-testid="crisis-button" on:click=handler::click(move |_| crisis.set(true))>{t.crisis_button}</button></p>
        <ReadOnlyRecord collection=Collection::Contact id/>
        {move || contact.get().filter(Contact::is_hospital_visit).map(|_| view! {
            <div class="buttons"><a class="button secondary" href=report.clone()>{t.visit_report}</a></div>
        })}
    }
}

/// The record changed underneath (`before` → `after`): fields the person
/// has not touched take the new values; fields they did touch keep what
/// they typed. Returns the fields that changed.
fn follow(form: FormState, before: &FormValues, after: &FormValues) -> Vec<&'static str> {
    let mut changed = Vec::new();
    for f in form.schema.fields {
        let (b, a) = (before.get(f.name).cloned().unwrap_or_default(), after.get(f.name).cloned().unwrap_or_default());
        if b != a {
            changed.push(f.name);
            let input = form.input(f.name);
            if input.with_untracked(|i| *i == b) {
                input.set(a);
            }
        }
    }
    changed
}

fn field_label(t: &'static Texts, name: &str) -> &'static str {
    Contact::SCHEMA.field(name).map_or("", |f| f.label.get(t.is_ja()))
}

/// A field's new value as the person reads it.
fn field_value(t: &'static Texts, c: &Contact, name: &str) -> String {
    let value = c.to_fields().into_iter().find(|(n, _)| *n == name).map(|(_, v)| v).unwrap_or(Value::Null);
    let shown = Contact::SCHEMA.field(name).map(|f| nimo_core::collections::show(f, &value, t.is_ja())).unwrap_or_default();
    if shown.is_empty() { "—".to_owned() } else { shown }
}

fn save_error(t: &'static Texts, e: &EngineError) -> String {
    match SaveFailure::of(e) {
        // The form keeps what was typed as a draft.
        SaveFailure::Deleted => t.err_deleted_while_editing.to_owned(),
        f => t.save_failure(f).to_owned(),
    }
}

/// 「別の端末でも編集されました」: the note text that lost to an edit on
/// another device, and what to do about it. Each choice is saved at once.
#[component]
fn Conflicts(id: RecordId, form: FormState) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let list = {
        let id = id.clone();
        move || app.cache.get(Collection::Contact, &id).and_then(|r| Doc::<Contact>::from_record(&r)).map(|c| c.conflicts).unwrap_or_default()
    };
    let note = form.input("note");
    // Optionally writes a new note, then marks the conflict dealt with.
    let settle = move |new_note: Option<String>, stamp: nimo_core::sync::hlc::Hlc| {
        let Some(r) = app.cache.get(Collection::Contact, &id) else { return };
        spawn_local(async move {
            if let Some(text) = new_note {
                note.set(Input::Text(text.clone()));
                let put = ChangeKind::put(None, vec![("note".to_owned(), Value::String(text))]);
                if api::save(app, Change { collection: Collection::Contact, id: r.id.clone(), group: r.group.clone(), kind: put }).await.is_none() {
                    return;
                }
            }
            let resolve = ChangeKind::Resolve { field: "note".to_owned(), t: stamp };
            api::save(app, Change { collection: Collection::Contact, id: r.id, group: r.group, kind: resolve }).await;
        });
    };
    let settle = StoredValue::new(settle);
    view! {
        {move || list().into_iter().filter(|c| c.field == "note").map(|c| {
            let stamp = c.stamp;
            let (x1, x2) = (c.text.clone(), c.text.clone());
            view! {
                <div class="conflict" role="alert" data-testid="conflict">
                    <h3>{t.conflict_title}</h3>
                    <p>{t.conflict_lead}</p>
                    <blockquote>{c.text}</blockquote>
                    <div class="buttons">
                        <button type="button" class="button secondary" on:click=handler::click(move |_| settle.with_value(|f| f(Some(x1.clone()), stamp)))>{t.conflict_use}</button>
                        <button type="button" class="button secondary" on:click=handler::click(move |_| {
                            let joined = format!("{}\n\n{}", note.with_untracked(|i| i.text().to_owned()), x2);
                            settle.with_value(|f| f(Some(joined), stamp));
                        })>{t.conflict_append}</button>
                        <button type="button" class="button secondary" on:click=handler::click(move |_| settle.with_value(|f| f(None, stamp)))>{t.conflict_dismiss}</button>
                    </div>
                </div>
            }
        }).collect_view()}
    }
}
