//! 窓口: the finder. Worries and an area in, the windows that fit out,
//! grouped nearest first (身近な窓口 / 圏域 / 都道府県 / 全国), each with
//! why, how to reach it, and whether it is open now. Works offline: the
//! directory is on the device and the national lines are built in.

use std::time::Duration;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::area::AreaCode;
use nimo_core::collection::Collection;
use nimo_core::contact::{ContactForm, Referral};
use nimo_core::directory::{self, Found, Hit, WindowEntry};
use nimo_core::hours::Schedule;
use nimo_core::taxonomy::{Level, Worry};
use nimo_core::time::JstDateTime;

use crate::components::MultiChips;
use crate::i18n::{Texts, use_texts};
use crate::route::go;
use crate::screens::areas::AreaPicker;
use crate::screens::crisis::tel_href;
use crate::state::{self, AppState, now_jst, use_app};

const AREA_KEY: &str = "nimo.finder.area";

/// The current group's live directory entries (reactive).
pub fn entries(app: AppState) -> Memo<Vec<WindowEntry>> {
    Memo::new(move |_| {
        let group = app.group.get();
        app.cache.with(Collection::Window, |m| m.values().filter(|r| Some(&r.group) == group.as_ref()).filter_map(WindowEntry::from_record).collect())
    })
}

/// The time, refreshed every minute, for open-now badges.
pub fn ticking_now() -> ReadSignal<JstDateTime> {
    let (now, set_now) = signal(now_jst());
    let handle = set_interval_with_handle(move || set_now.set(now_jst()), Duration::from_secs(60)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    now
}

#[component]
pub fn Windows() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let worries = RwSignal::new(Vec::<String>::new());
    let area = RwSignal::new(LocalStorage::get::<String>(AREA_KEY).ok());
    Effect::new(move |_| match area.get() {
        Some(a) => {
            let _ = LocalStorage::set(AREA_KEY, a);
        }
        None => LocalStorage::delete(AREA_KEY),
    });
    let entries = entries(app);
    let now = ticking_now();
    let results = Memo::new(move |_| {
        let picked: Vec<Worry> = worries.with(|w| w.iter().filter_map(|id| Worry::from_id(id)).collect());
        let code = area.get().and_then(|a| AreaCode::parse(&a).ok());
        entries.with(|e| directory::find(&picked, code, e, nimo_core::national::lines()))
    });
    view! {
        <div class="screen-head">
            <h1>{t.windows_title}</h1>
            <a class="button secondary small" href="#/directory">{t.directory_link}</a>
        </div>
        <p>{t.finder_lead}</p>
        <MultiChips label=t.finder_worries options=t.worry_options(Worry::ALL) selected=worries testid="finder-worries"/>
        <AreaPicker label=t.finder_area selected=area testid="finder-area"/>
        <Show when=move || worries.with(Vec::is_empty)>
            <p class="hint">{t.finder_pick_worry}</p>
        </Show>
        <div data-testid="finder-results">
            {move || {
                let found = results.get();
                let picked = worries.get();
                Level::ALL.into_iter().filter_map(|level| {
                    let group: Vec<Found> = found.iter().filter(|f| f.level == level).cloned().collect();
                    (!group.is_empty()).then(|| view! {
                        <section class="level" data-level=level.id()>
                            <h2>{t.level(level)}</h2>
                            <ul class="windows">
                                {group.into_iter().map(|f| view! { <WindowCard found=f now picked=picked.clone()/> }).collect_view()}
                            </ul>
                        </section>
                    })
                }).collect_view()
            }}
        </div>
    }
}

/// A result: name, kind, why, open now, how to reach.
#[component]
fn WindowCard(found: Found, now: ReadSignal<JstDateTime>, picked: Vec<String>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let today = now_jst().date;
    let (name, kind, schedule, phones, fax, email, url, address, href, needs_check, source, referral_id) = match &found.hit {
        Hit::Entry(e) => (
            e.name.clone(),
            t.window_type(e.window_type),
            e.schedule.clone(),
            e.phones.iter().map(|p| (p.number.clone(), p.note.clone().unwrap_or_default())).collect::<Vec<_>>(),
            e.fax.clone(),
            e.email.clone(),
            e.url.clone(),
            e.address.clone(),
            Some(format!("#/window/{}", e.id)),
            e.needs_check(today),
            e.verified_on.map(|d| format!("{}：{d}", t.verified_on)),
            e.id.to_string(),
        ),
        Hit::National(l) => (
            l.name.clone(),
            t.window_type(nimo_core::taxonomy::WindowType::NationalLine),
            directory::national_schedule(l),
            std::iter::once((l.phone.clone(), l.hours.clone())).chain(l.alt_phones.iter().map(|a| (a.phone.clone(), a.note.clone()))).collect(),
            String::new(),
            String::new(),
            l.source_url.clone(),
            String::new(),
            None,
            l.confidence == "secondary",
            Some(format!("{}：{}", t.source_checked, l.source_date.clone().unwrap_or_else(|| t.source_unknown.to_owned()))),
            format!("national:{}", l.id),
        ),
    };
    let why = found.why.clone();
    let add = {
        let name = name.clone();
        move |_| add_to_record(app, t, referral_id.clone(), name.clone(), picked.clone())
    };
    view! {
        <li class="window-card" data-testid="window-card">
            <div class="card-head">
                <h3>{match href { Some(h) => view! { <a href=h>{name.clone()}</a> }.into_any(), None => view! { <span>{name.clone()}</span> }.into_any() }}</h3>
                <OpenBadge schedule now/>
            </div>
            <p class="kind">{kind}{needs_check.then(|| view! { " " <span class="tag warn">{t.needs_verify}</span> })}</p>
            <div class="why">
                <p class="why-label">{t.why}</p>
                <ul>{why.into_iter().map(|(worry, ja, en)| {
                    let reason = if t.is_ja() || en.is_empty() { ja } else { en };
                    view! { <li>{worry.map(|w| view! { <strong>{t.worry(w)}</strong>"：" })}{reason}</li> }
                }).collect_view()}</ul>
            </div>
            <ul class="contacts">
                {phones.into_iter().map(|(number, note)| view! {
                    <li><a class="tel" href=tel_href(&number) data-testid="tel"><span class="number">{number.clone()}</span><small>{note}</small></a></li>
                }).collect_view()}
                {(!fax.is_empty()).then(|| view! { <li>{t.fax}"："{fax}</li> })}
                {(!email.is_empty()).then(|| view! { <li><a href=format!("mailto:{email}")>{t.email}"："{email.clone()}</a></li> })}
                {(!url.is_empty()).then(|| view! { <li><a href=url.clone() rel="noopener noreferrer" target="_blank">{t.website}</a></li> })}
                {(!address.is_empty()).then(|| view! {
                    <li>{address.clone()}" "<a href=format!("https://www.google.com/maps/search/?api=1&query={}", String::from(js_sys::encode_uri_component(&address))) rel="noopener noreferrer" target="_blank">{t.map}</a></li>
                })}
            </ul>
            {source.map(|s| view! { <p class="hint">{s}</p> })}
            <button type="button" class="button secondary" data-testid="add-referral" on:click=add>{t.add_referral}</button>
        </li>
    }
}

#[component]
pub fn OpenBadge(schedule: Schedule, now: ReadSignal<JstDateTime>) -> impl IntoView {
    let t = use_texts();
    move || {
        let at = now.get();
        let (class, text) = t.open_now(schedule.open_now(at), at);
        view! { <span class=format!("badge {class}") data-testid="open-badge">{text}</span> }
    }
}

/// Puts the window on a new record's referrals (through the record form's
/// draft), with the picked worries if the draft has none, and opens it.
fn add_to_record(app: AppState, t: &'static Texts, window: String, name: String, worries: Vec<String>) {
    spawn_local(async move {
        let mut draft: ContactForm =
            crate::screens::contact::load_contact_draft(app, "contact:new").await.map(|d| d.form).unwrap_or_else(|| ContactForm::new(now_jst()));
        if !draft.referrals.iter().any(|r| r.window == window) {
            draft.referrals.push(Referral { window, name, state: "referred".into(), on: Some(now_jst().date) });
        }
        if draft.worries.is_empty() {
            draft.worries = worries;
        }
        state::save_draft(app, "contact:new", &crate::screens::contact::ContactDraft { form: draft, seen: None }).await;
        let _ = t;
        go("#/contact/new");
    });
}
