//! The contact form: quick entry for the common case (a phone call, one
//! worry, a short note: open, tap a worry, type, save), details below. The
//! form keeps a draft through reloads and going offline; problems are shown
//! next to the field, in plain words.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::client::{Change, ChangeKind, EngineError, StoreError};
use nimo_core::collection::Collection;
use nimo_core::contact::{Contact, ContactForm, Referral};
use nimo_core::ids::RecordId;
use nimo_core::record::Record;
use nimo_core::taxonomy::Worry;

use crate::components::{ChoiceChips, MultiChips, Notice, TextArea, TextField, confirm};
use crate::i18n::{Texts, use_texts};
use crate::route::go;
use crate::screens::crisis::CrisisCard;
use crate::state::{self, now_jst, use_app};

/// The worries shown first; the rest are one tap away.
const COMMON: [Worry; 8] = [
    Worry::MentalHealth,
    Worry::Family,
    Worry::Money,
    Worry::Housing,
    Worry::Work,
    Worry::Crisis,
    Worry::WelfareServices,
    Worry::Hikikomori,
];

/// One signal per field, so that each control edits its own value.
#[derive(Clone, Copy)]
struct Fields {
    date: RwSignal<String>,
    time: RwSignal<String>,
    duration: RwSignal<String>,
    mode: RwSignal<Option<String>>,
    person: RwSignal<String>,
    caller: RwSignal<Option<String>>,
    relation: RwSignal<String>,
    age_band: RwSignal<Option<String>>,
    area: RwSignal<Option<String>>,
    worries: RwSignal<Vec<String>>,
    unmet: RwSignal<Vec<String>>,
    actions: RwSignal<Vec<String>>,
    note: RwSignal<String>,
    referrals: RwSignal<Vec<Referral>>,
    follow_up: RwSignal<String>,
    risk: RwSignal<bool>,
    closed: RwSignal<bool>,
    shared: RwSignal<bool>,
    partner: RwSignal<String>,
    hospital: RwSignal<String>,
    wish_method: RwSignal<Option<String>>,
    wish_date: RwSignal<String>,
}

impl Fields {
    fn new(form: &ContactForm) -> Self {
        Self {
            date: RwSignal::new(form.date.clone()),
            time: RwSignal::new(form.time.clone()),
            duration: RwSignal::new(form.duration_min.clone()),
            mode: RwSignal::new(form.mode.clone()),
            person: RwSignal::new(form.person.clone()),
            caller: RwSignal::new(form.caller.clone()),
            relation: RwSignal::new(form.relation.clone()),
            age_band: RwSignal::new(form.age_band.clone()),
            area: RwSignal::new(form.area.clone()),
            worries: RwSignal::new(form.worries.clone()),
            unmet: RwSignal::new(form.unmet_worries.clone()),
            actions: RwSignal::new(form.actions.clone()),
            note: RwSignal::new(form.note.clone()),
            referrals: RwSignal::new(form.referrals.clone()),
            follow_up: RwSignal::new(form.follow_up.clone()),
            risk: RwSignal::new(form.risk),
            closed: RwSignal::new(form.closed),
            shared: RwSignal::new(form.shared),
            partner: RwSignal::new(form.partner.clone()),
            hospital: RwSignal::new(form.hospital.clone()),
            wish_method: RwSignal::new(form.wish_method.clone()),
            wish_date: RwSignal::new(form.wish_date.clone()),
        }
    }

    /// The form as it stands (tracked: an effect calling this reruns on
    /// every change).
    fn collect(&self) -> ContactForm {
        ContactForm {
            date: self.date.get(),
            time: self.time.get(),
            duration_min: self.duration.get(),
            mode: self.mode.get(),
            person: self.person.get(),
            caller: self.caller.get(),
            relation: self.relation.get(),
            age_band: self.age_band.get(),
            area: self.area.get(),
            worries: self.worries.get(),
            unmet_worries: self.unmet.get(),
            actions: self.actions.get(),
            note: self.note.get(),
            referrals: self.referrals.get(),
            follow_up: self.follow_up.get(),
            risk: self.risk.get(),
            closed: self.closed.get(),
            shared: self.shared.get(),
            partner: self.partner.get(),
            hospital: self.hospital.get(),
            wish_method: self.wish_method.get(),
            wish_date: self.wish_date.get(),
        }
    }

    /// Another device changed the record while this form was open (`before`
    /// → `after`): fields the person has not touched take the new values,
    /// fields they did touch keep what they typed. Returns the names of the
    /// fields that changed.
    fn follow(&self, before: &ContactForm, after: &ContactForm) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! follow {
            ($($signal:ident: $field:ident),*) => {$(
                if before.$field != after.$field {
                    changed.push(stringify!($field));
                    if self.$signal.with_untracked(|v| *v == before.$field) {
                        self.$signal.set(after.$field.clone());
                    }
                }
            )*};
        }
        follow!(date: date, time: time, duration: duration_min, mode: mode, person: person, caller: caller, relation: relation,
            age_band: age_band, area: area, worries: worries, unmet: unmet_worries, actions: actions, note: note, referrals: referrals,
            follow_up: follow_up, risk: risk, closed: closed, shared: shared, partner: partner, hospital: hospital,
            wish_method: wish_method, wish_date: wish_date);
        changed
    }

    fn apply(&self, f: ContactForm) {
        self.date.set(f.date);
        self.time.set(f.time);
        self.duration.set(f.duration_min);
        self.mode.set(f.mode);
        self.person.set(f.person);
        self.caller.set(f.caller);
        self.relation.set(f.relation);
        self.age_band.set(f.age_band);
        self.area.set(f.area);
        self.worries.set(f.worries);
        self.unmet.set(f.unmet_worries);
        self.actions.set(f.actions);
        self.note.set(f.note);
        self.referrals.set(f.referrals);
        self.follow_up.set(f.follow_up);
        self.risk.set(f.risk);
        self.closed.set(f.closed);
        self.shared.set(f.shared);
        self.partner.set(f.partner);
        self.hospital.set(f.hospital);
        self.wish_method.set(f.wish_method);
        self.wish_date.set(f.wish_date);
    }
}

/// Error signals for the fields that can have a problem.
#[derive(Clone, Copy)]
struct Errors {
    date: RwSignal<Option<&'static str>>,
    time: RwSignal<Option<&'static str>>,
    duration: RwSignal<Option<&'static str>>,
    mode: RwSignal<Option<&'static str>>,
    person: RwSignal<Option<&'static str>>,
    relation: RwSignal<Option<&'static str>>,
    note: RwSignal<Option<&'static str>>,
    follow_up: RwSignal<Option<&'static str>>,
    partner: RwSignal<Option<&'static str>>,
    hospital: RwSignal<Option<&'static str>>,
    wish_date: RwSignal<Option<&'static str>>,
}

impl Errors {
    fn new() -> Self {
        let e = || RwSignal::new(None);
        Self { date: e(), time: e(), duration: e(), mode: e(), person: e(), relation: e(), note: e(), follow_up: e(), partner: e(), hospital: e(), wish_date: e() }
    }

    fn show(&self, t: &'static Texts, problems: &std::collections::BTreeMap<&'static str, nimo_core::contact::Problem>) {
        let pairs = [
            ("date", self.date), ("time", self.time), ("duration_min", self.duration), ("mode", self.mode), ("person", self.person),
            ("relation", self.relation), ("note", self.note), ("follow_up", self.follow_up), ("partner", self.partner),
            ("hospital", self.hospital), ("wish_date", self.wish_date),
        ];
        for (name, signal) in pairs {
            signal.set(problems.get(name).map(|p| t.problem(*p)));
        }
    }
}

/// What a draft keeps: the form as typed, and the record as it was when the
/// form was opened (a save writes only what changed from it).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ContactDraft {
    pub form: ContactForm,
    #[serde(default)]
    pub seen: Option<Record>,
}

/// A draft as saved now, or as an older version saved it (the bare form).
pub async fn load_contact_draft(app: crate::state::AppState, key: &str) -> Option<ContactDraft> {
    match state::load_draft::<ContactDraft>(app, key).await {
        Some(draft) => Some(draft),
        None => state::load_draft::<ContactForm>(app, key).await.map(|form| ContactDraft { form, seen: None }),
    }
}

fn draft_key(id: Option<&RecordId>) -> String {
    match id {
        Some(id) => format!("contact:{id}"),
        None => "contact:new".to_owned(),
    }
}

#[component]
pub fn ContactScreen(#[prop(optional)] id: Option<RecordId>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let opened_record = id.as_ref().and_then(|id| app.cache.get(Collection::Contact, id));
    let existing = opened_record.as_ref().and_then(Contact::from_record);
    if id.is_some() && existing.is_none() {
        return view! { <h1>{t.contact_edit_title}</h1><p class="empty">{t.not_found}</p><a href="#/">{t.records_title}</a> }.into_any();
    }
    // The record as the person saw it when they opened the form.
    let opened: StoredValue<Option<Record>> = StoredValue::new(opened_record);
    let remote = RwSignal::new(None::<Vec<&'static str>>);
    let start = existing.as_ref().map(ContactForm::from_contact).unwrap_or_else(|| ContactForm::new(now_jst()));
    let fields = Fields::new(&start);
    let errors = Errors::new();
    let key = draft_key(id.as_ref());
    let notice = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let crisis = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let ready_for_drafts = RwSignal::new(false);

    // Restore a draft, then keep saving one as the user types.
    {
        let key = key.clone();
        spawn_local(async move {
            if let Some(draft) = load_contact_draft(app, &key).await {
                fields.apply(draft.form);
                if draft.seen.is_some() {
                    opened.set_value(draft.seen);
                }
                notice.set(Some(t.draft_restored.to_owned()));
            }
            ready_for_drafts.set(true);
        });
    }
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    {
        let key = key.clone();
        let untouched = start.clone();
        Effect::new(move |_| {
            let form = fields.collect();
            // Merely opening a record is not a draft.
            if !ready_for_drafts.get() || form == untouched {
                return;
            }
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let key = key.clone();
            let draft = ContactDraft { form, seen: opened.get_value() };
            let h = set_timeout_with_handle(move || spawn_local(async move { state::save_draft(app, &key, &draft).await }), Duration::from_millis(300)).ok();
            pending.set_value(h);
        });
    }
    // Another device's change reaching this device while the form is open:
    // say so, with the new values, and take them where nothing was typed.
    if let Some(watched) = id.clone() {
        Effect::new(move |_| {
            let now = app.cache.get(Collection::Contact, &watched);
            let Some(before) = opened.get_value() else { return };
            let Some(now) = now else {
                remote.set(Some(Vec::new()));
                return;
            };
            if now.max_stamp() == before.max_stamp() {
                return;
            }
            let (Some(a), Some(b)) = (Contact::from_record(&before), Contact::from_record(&now)) else { return };
            let changed = fields.follow(&ContactForm::from_contact(&a), &ContactForm::from_contact(&b));
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
    // Setting the risk flag shows the crisis card at once.
    Effect::new(move |prev: Option<bool>| {
        let risk = fields.risk.get();
        if prev == Some(false) && risk {
            crisis.set(true);
        }
        risk
    });

    let record_id = id.clone();
    let save_key = key.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = fields.collect();
        let (visibility, values) = match form.to_fields() {
            Ok(ok) => {
                errors.show(t, &Default::default());
                ok
            }
            Err(problems) => {
                errors.show(t, &problems);
                failure.set(Some(t.form_has_problems.to_owned()));
                return;
            }
        };
        let (Some(group), Some(id)) = (app.group.get_untracked(), record_id.clone().or_else(|| state::new_id(app))) else { return };
        busy.set(true);
        failure.set(None);
        let key = save_key.clone();
        spawn_local(async move {
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let seen = opened.get_value().map(Box::new);
            let change = Change { collection: Collection::Contact, id, group, kind: ChangeKind::Put { visibility: Some(visibility), fields: values, seen } };
            match state::change(app, change).await {
                Ok(_) => {
                    state::drop_draft(app, &key).await;
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
        let (Some(group), Some(id)) = (app.group.get_untracked(), delete_id.clone()) else { return };
        let key = delete_key.clone();
        spawn_local(async move {
            match state::change(app, Change { collection: Collection::Contact, id, group, kind: ChangeKind::Delete }).await {
                Ok(_) => {
                    state::drop_draft(app, &key).await;
                    go("#/");
                }
                Err(e) => failure.set(Some(save_error(t, &e))),
            }
        });
    };
    let discard_key = key.clone();
    let discard = move |_| {
        let key = discard_key.clone();
        spawn_local(async move { state::drop_draft(app, &key).await });
        notice.set(None);
        fields.apply(existing.as_ref().map(ContactForm::from_contact).unwrap_or_else(|| ContactForm::new(now_jst())));
    };
    let is_edit = id.is_some();
    let conflicts = id.clone();
    let conflicts_id = id.clone();
    let report = id.clone();

    view! {
        <h1>{if is_edit { t.contact_edit_title } else { t.contact_new_title }}</h1>
        <CrisisCard open=crisis/>
        {move || remote.get().map(|changed| {
            let current = conflicts_id.as_ref().and_then(|id| app.cache.get(Collection::Contact, id)).and_then(|r| Contact::from_record(&r));
            match current {
                None => view! { <div class="notice warning" role="alert" data-testid="remote-change"><strong>{t.remote_deleted}</strong></div> }.into_any(),
                Some(c) => view! {
                    <div class="notice warning" role="alert" data-testid="remote-change">
                        <strong>{t.remote_changed}</strong>
                        <p>{t.remote_changed_lead}</p>
                        <ul>{changed.into_iter().map(|f| view! { <li><strong>{contact_field_label(t, f)}</strong>"："{contact_field_value(t, &c, f)}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
            }
        })}
        {move || notice.get().map(|n| view! {
            <p class="notice info" role="status">{n}" " <button type="button" class="link" on:click=discard.clone()>{t.discard_draft}</button></p>
        })}
        <form class="contact-form" on:submit=save novalidate data-testid="contact-form">
            <Notice message=failure/>
            <ChoiceChips label=t.mode options=t.modes() selected=fields.mode testid="mode" can_clear=false/>
            <p class="error" role="alert">{move || errors.mode.get()}</p>
            <MultiChips label=t.worries options=t.worry_options(&COMMON) selected=fields.worries testid="worries"/>
            <details class="more" prop:open=move || fields.worries.with(|w| w.iter().any(|id| Worry::from_id(id).is_some_and(|w| !COMMON.contains(&w))))>
                <summary>{t.more_worries}</summary>
                <MultiChips label=t.more_worries options=t.worry_options(&other_worries()) selected=fields.worries testid="more-worries"/>
            </details>
            {conflicts.map(|id| view! { <Conflicts id fields/> })}
            <TextArea label=t.note value=fields.note error=errors.note testid="note" rows=5/>
            <label class="choice risk">
                <input type="checkbox" data-testid="risk" prop:checked=move || fields.risk.get() on:change=move |ev| fields.risk.set(event_target_checked(&ev))/>
                <span>{t.risk}</span>
            </label>
            <button type="submit" class="button wide save" data-testid="save" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.save }}</button>
            <details class="card" open=is_edit>
                <summary>{t.details}</summary>
                <div class="two">
                    <TextField label=t.date value=fields.date kind="date" error=errors.date testid="date"/>
                    <TextField label=t.time value=fields.time kind="time" error=errors.time testid="time"/>
                </div>
                <TextField label=t.person value=fields.person hint=t.person_hint error=errors.person testid="person" autocomplete="off"/>
                <TextField label=t.duration value=fields.duration kind="number" inputmode="numeric" error=errors.duration/>
                <ChoiceChips label=t.caller options=t.callers() selected=fields.caller/>
                <Show when=move || fields.caller.with(|c| c.as_deref().is_some_and(|c| c != "self"))>
                    <TextField label=t.relation value=fields.relation error=errors.relation/>
                </Show>
                <ChoiceChips label=t.age_band options=t.age_bands() selected=fields.age_band/>
                <crate::screens::areas::AreaPicker label=t.area selected=fields.area/>
                <MultiChips label=t.actions options=t.action_options() selected=fields.actions/>
                <MultiChips label=t.unmet_worries options=t.worry_options(Worry::ALL) selected=fields.unmet/>
                <ReferralEditor referrals=fields.referrals/>
                <TextField label=t.follow_up value=fields.follow_up kind="date" error=errors.follow_up testid="follow-up"/>
                <label class="choice"><input type="checkbox" prop:checked=move || fields.closed.get() on:change=move |ev| fields.closed.set(event_target_checked(&ev))/><span>{t.closed}</span></label>
                <label class="choice"><input type="checkbox" data-testid="shared" prop:checked=move || fields.shared.get() on:change=move |ev| fields.shared.set(event_target_checked(&ev))/><span>{t.shared}</span></label>
                <p class="hint">{t.shared_hint}</p>
                <Show when=move || fields.mode.with(|m| m.as_deref() == Some("hospital"))>
                    <section class="hospital" data-testid="hospital-section">
                        <h2>{t.hospital_section}</h2>
                        <p class="notice info">{t.hospital_role}</p>
                        <TextField label=t.partner value=fields.partner error=errors.partner testid="partner"/>
                        <TextField label=t.hospital value=fields.hospital error=errors.hospital testid="hospital"/>
                        <ChoiceChips label=t.wish_method options=t.wish_methods() selected=fields.wish_method/>
                        <TextField label=t.wish_date value=fields.wish_date kind="date" error=errors.wish_date/>
                    </section>
                </Show>
            </details>
            {is_edit.then(|| view! {
                <div class="buttons">
                    {report.map(|id| view! { <a class="button secondary" href=format!("#/contact/{id}/report")>{t.visit_report}</a> })}
                    <button type="button" class="button danger" data-testid="delete" on:click=delete>{t.delete}</button>
                </div>
            })}
        </form>
    }
    .into_any()
}

/// A contact field's label, for 「別の端末で更新されました」.
fn contact_field_label(t: &'static Texts, field: &str) -> &'static str {
    match field {
        "date" => t.date,
        "time" => t.time,
        "duration_min" => t.duration,
        "mode" => t.mode,
        "person" => t.person,
        "caller" => t.caller,
        "relation" => t.relation,
        "age_band" => t.age_band,
        "area" => t.area,
        "worries" => t.worries,
        "unmet_worries" => t.unmet_worries,
        "actions" => t.actions,
        "note" => t.note,
        "referrals" => t.referrals,
        "follow_up" => t.follow_up,
        "risk" => t.risk,
        "closed" => t.closed,
        "shared" => t.shared,
        "partner" => t.partner,
        "hospital" => t.hospital,
        "wish_method" => t.wish_method,
        _ => t.wish_date,
    }
}

/// The new value of a field as the person reads it.
fn contact_field_value(t: &'static Texts, c: &Contact, field: &str) -> String {
    let f = ContactForm::from_contact(c);
    let yes_no = |b: bool| if b { "✓" } else { "—" }.to_owned();
    let text = |s: &str| if s.is_empty() { "—".to_owned() } else { s.to_owned() };
    match field {
        "mode" => t.mode_label(&c.mode).to_owned(),
        "worries" => c.worries.iter().map(|w| t.worry(*w)).collect::<Vec<_>>().join("・"),
        "unmet_worries" => c.unmet_worries.iter().map(|w| t.worry(*w)).collect::<Vec<_>>().join("・"),
        "referrals" => c.referrals.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("・"),
        "risk" => yes_no(c.risk),
        "closed" => yes_no(!c.open),
        "shared" => yes_no(f.shared),
        "date" => text(&f.date),
        "time" => text(&f.time),
        "duration_min" => text(&f.duration_min),
        "person" => text(&f.person),
        "relation" => text(&f.relation),
        "note" => text(&f.note),
        "follow_up" => text(&f.follow_up),
        "partner" => text(&f.partner),
        "hospital" => text(&f.hospital),
        "wish_date" => text(&f.wish_date),
        "area" => c.area.map(nimo_core::area::full_name).unwrap_or_else(|| "—".into()),
        _ => "…".into(),
    }
}

fn other_worries() -> Vec<Worry> {
    Worry::ALL.iter().copied().filter(|w| !COMMON.contains(w)).collect()
}

fn save_error(t: &'static Texts, e: &EngineError) -> String {
    match e {
        EngineError::Store(StoreError::QuotaExceeded) => t.err_storage_full.to_owned(),
        EngineError::Deleted => t.err_deleted_while_editing.to_owned(),
        EngineError::Invalid(f) => format!("{} ({})", t.form_has_problems, f.path),
        other => other.to_string(),
    }
}

/// 「別の端末でも編集されました」: the note text that lost to an edit on
/// another device, and what to do about it. Each choice is saved at once.
#[component]
fn Conflicts(id: RecordId, fields: Fields) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let list = {
        let id = id.clone();
        move || app.cache.get(Collection::Contact, &id).and_then(|r| Contact::from_record(&r)).map(|c| c.conflicts).unwrap_or_default()
    };
    // Optionally writes a new note, then marks the conflict dealt with.
    let settle = move |new_note: Option<String>, stamp: nimo_core::hlc::Hlc| {
        let Some(r) = app.cache.get(Collection::Contact, &id) else { return };
        spawn_local(async move {
            if let Some(note) = new_note {
                fields.note.set(note.clone());
                let put = ChangeKind::put(None, vec![("note".to_owned(), serde_json::json!(note))]);
                if state::change(app, Change { collection: Collection::Contact, id: r.id.clone(), group: r.group.clone(), kind: put }).await.is_err() {
                    return;
                }
            }
            let resolve = ChangeKind::Resolve { field: "note".to_owned(), t: stamp };
            let _ = state::change(app, Change { collection: Collection::Contact, id: r.id, group: r.group, kind: resolve }).await;
        });
    };
    let settle = StoredValue::new(settle);
    view! {
        {move || list().into_iter().filter(|(field, _, _)| field == "note").map(|(_, text, stamp)| {
            let (s1, s2, s3) = (stamp.clone(), stamp.clone(), stamp);
            let (x1, x2) = (text.clone(), text.clone());
            view! {
                <div class="conflict" role="alert" data-testid="conflict">
                    <h3>{t.conflict_title}</h3>
                    <p>{t.conflict_lead}</p>
                    <blockquote>{text}</blockquote>
                    <div class="buttons">
                        <button type="button" class="button secondary" on:click=move |_| settle.with_value(|f| f(Some(x1.clone()), s1.clone()))>{t.conflict_use}</button>
                        <button type="button" class="button secondary" on:click=move |_| {
                            let joined = format!("{}\n\n{}", fields.note.get_untracked(), x2);
                            settle.with_value(|f| f(Some(joined), s2.clone()));
                        }>{t.conflict_append}</button>
                        <button type="button" class="button secondary" on:click=move |_| settle.with_value(|f| f(None, s3.clone()))>{t.conflict_dismiss}</button>
                    </div>
                </div>
            }
        }).collect_view()}
    }
}

#[component]
fn ReferralEditor(referrals: RwSignal<Vec<Referral>>) -> impl IntoView {
    let t = use_texts();
    let name = RwSignal::new(String::new());
    let add = move |_| {
        let n = name.get().trim().to_owned();
        if n.is_empty() {
            return;
        }
        let id = format!("national:free-{}", referrals.with(Vec::len));
        referrals.update(|r| r.push(Referral { window: id, name: n, state: "referred".into(), on: Some(now_jst().date) }));
        name.set(String::new());
    };
    view! {
        <section class="referrals" data-testid="referrals">
            <h3>{t.referrals}</h3>
            <ul class="rows">
                {move || referrals.get().into_iter().enumerate().map(|(i, r)| {
                    let state = RwSignal::new(Some(r.state.clone()));
                    Effect::new(move |_| {
                        let Some(s) = state.get() else { return };
                        // Only a real change writes: a write re-renders this list.
                        if referrals.with_untracked(|list| list.get(i).is_some_and(|item| item.state != s)) {
                            referrals.update(|list| {
                                if let Some(item) = list.get_mut(i) {
                                    item.state = s;
                                    item.on = Some(now_jst().date);
                                }
                            });
                        }
                    });
                    view! {
                        <li>
                            <div>
                                <strong>{r.name.clone()}</strong>
                                <ChoiceChips label=t.referrals options=t.referral_states() selected=state can_clear=false/>
                            </div>
                            <button type="button" class="button secondary" on:click=move |_| referrals.update(|l| { if i < l.len() { l.remove(i); } })>{t.remove}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <TextField label=t.referral_name value=name autocomplete="off"/>
            <button type="button" class="button secondary" on:click=add>{t.referral_add}</button>
        </section>
    }
}
