//! The group's directory: every entry (要確認 when not checked for a year),
//! one entry in full with 「情報が違う」, the coordinator's form (from the
//! schema), the corrections to review, the built-in national lines (which
//! a coordinator can correct or hide for the group), and import / export.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::base::taxonomy::WindowType;
use nimo_core::directory::correction::{Correction, CorrectionStatus, WindowRef};
use nimo_core::directory::national::{self, NationalLine};
use nimo_core::directory::window::{Hours, Phone, Phones, ServiceArea, ServiceAreas, Session, Window};
use nimo_core::schema::field::{Note, Text};
use nimo_core::schema::{Doc, Problems, Section, Typed};
use nimo_core::sync::client::{Change, ChangeKind};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::ids::RecordId;
use serde_json::Value;

use crate::components::{Notice, TextArea, download};
use crate::form::readonly::RecordFields;
use crate::form::fields::Fields;
use crate::form::{FormState, ProblemSummary};
use crate::i18n::use_texts;
use crate::route::go;
use crate::screens::windows::{OpenBadge, kind_label, ticking_now};
use crate::state::{AppState, SaveFailure, api, now_jst, use_app};

pub mod import;

#[component]
pub fn Directory() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let entries = app.index.windows;
    let show_retired = RwSignal::new(false);
    let today = now_jst().date;
    let export = move |_| {
        let file = nimo_core::directory::hsds::export(&entries.get_untracked(), today);
        download(&format!("nimo-directory-{today}.json"), "application/json", crate::platform::json::to_string(&file).as_bytes());
    };
    view! {
        <div class="screen-head">
            <h1>{t.directory_title}</h1>
            <Show when=move || app.may_create(Collection::Window)>
                <a class="button small" href="#/window/new" data-testid="add-window">{t.add_window}</a>
            </Show>
        </div>
        <Show when=move || app.is_coordinator()>
            <Corrections/>
        </Show>
        <label class="choice"><input type="checkbox" prop:checked=move || show_retired.get() on:change=handler::change(move |ev| show_retired.set(event_target_checked(&ev)))/><span>{t.show_retired}</span></label>
        {move || {
            let mut list = entries.get();
            list.retain(|e| e.data.overrides.is_empty() && (show_retired.get() || !e.data.retired));
            nimo_core::base::order::sort_by(&mut list, |a, b| (a.data.kind.map(|k| k.level()), a.data.kana.as_str(), a.data.name.as_str()).cmp(&(b.data.kind.map(|k| k.level()), b.data.kana.as_str(), b.data.name.as_str())));
            if list.is_empty() {
                return view! { <p class="empty" data-testid="directory-empty">{t.directory_empty}</p> }.into_any();
            }
            view! {
                <ul class="rows" data-testid="directory">
                    {list.into_iter().map(|e| view! {
                        <li>
                            <a href=format!("#/window/{}", e.id)>
                                <strong>{e.data.name.to_string()}</strong><br/>
                                <small>{kind_label(t, e.data.kind)}</small>
                            </a>
                            <span class="tags">
                                {e.data.needs_check(today).then(|| view! { <span class="tag warn">{t.needs_verify}</span> })}
                                {e.data.retired.then(|| view! { <span class="tag muted">{t.retired}</span> })}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <NationalLines entries/>
        <section class="card">
            <h2>{t.import_export}</h2>
            <div class="buttons">
                <button type="button" class="button secondary" data-testid="export-hsds" on:click=handler::click(export)>{t.export_hsds}</button>
                <Show when=move || app.may_create(Collection::Window)>
                    <a class="button secondary" href="#/directory/import" data-testid="import-link">{t.import_title}</a>
                </Show>
            </div>
        </section>
    }
}

/// The built-in national lines: each with its source and date; a
/// coordinator can correct one for the group or hide it.
#[component]
fn NationalLines(entries: Memo<Vec<Doc<Window>>>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let override_of = move |id: &str| entries.with(|all| all.iter().find(|e| e.data.overrides.as_str() == id).cloned());
    view! {
        <section class="card" data-testid="national-lines">
            <h2>{t.national_lines}</h2>
            <p class="hint">{t.national_lines_lead}</p>
            <ul class="rows">
                {national::lines().iter().map(|l| {
                    let id = l.id;
                    view! {
                        <li data-line=id>
                            <span>
                                <strong>{l.name}</strong>" "{l.phone}<br/>
                                <small><a href=l.source_url rel="noopener noreferrer" target="_blank">{t.source_label}</a>" · "{t.source_date}"："
                                    {l.source_date.and_then(|d| nimo_core::base::time::Date::parse(d).ok()).map(|d| t.date(d)).unwrap_or_else(|| t.date_unknown.to_owned())}</small>
                                {move || override_of(id).map(|e| view! {
                                    <br/><small class="tag warn">{if e.data.retired { t.line_hidden } else { t.line_corrected }}
                                        " "{e.data.verified_on.map(|d| t.date(d)).unwrap_or_default()}</small>
                                })}
                            </span>
                            <Show when=move || app.is_coordinator()>
                                <span class="actions">
                                    {move || match override_of(id) {
                                        Some(e) => {
                                            let rid = e.id.clone();
                                            view! { <button type="button" class="button secondary small" on:click=handler::click(move |_| undo_override(app, rid.clone()))>{t.line_restore}</button> }.into_any()
                                        }
                                        None => view! {
                                            <button type="button" class="button secondary small" data-testid="correct-line" on:click=handler::click(move |_| override_line(app, id, false))>{t.line_correct}</button>
                                            <button type="button" class="button secondary small" data-testid="hide-line" on:click=handler::click(move |_| override_line(app, id, true))>{t.line_hide}</button>
                                        }.into_any(),
                                    }}
                                </span>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// A group entry standing for a national line: as the line is, to correct
/// (opened in the form), or hidden (retired).
fn override_line(app: AppState, id: &'static str, hide: bool) {
    let Some(line) = national::line(id) else { return };
    let (Some(group), Some(rid)) = (app.group.get_untracked(), api::new_id(app)) else { return };
    let window = window_from_line(line, hide);
    spawn_local(async move {
        let change = Change { collection: Collection::Window, id: rid.clone(), group, kind: ChangeKind::put(Some(Visibility::Group), window.changes()) };
        if api::save(app, change).await.is_some() && !hide {
            go(&format!("#/window/{rid}/edit"));
        }
    });
}

fn window_from_line(line: &NationalLine, retired: bool) -> Window {
    Window {
        name: Text::new(line.name),
        kind: Some(WindowType::NationalLine),
        areas: ServiceAreas(vec![ServiceArea::National]),
        phones: Phones(std::iter::once(Phone { number: line.phone.to_owned(), note: String::new() }).chain(line.alt_phones.iter().map(|a| Phone { number: a.phone.to_owned(), note: a.note.to_owned() })).collect()),
        hours: Hours(line.weekly.iter().map(|s| Session { days: s.days.to_vec(), opens: s.opens, closes: s.closes }).collect()),
        closed_new_year: line.closed_new_year,
        note: Note::new(format!("{}\n{}", line.hours, line.for_whom)),
        url: nimo_core::schema::field::Url::new(line.source_url),
        source: Text::new(line.operator),
        verified_on: Some(now_jst().date),
        retired,
        overrides: Text::new(line.id),
        ..Window::default()
    }
}

fn undo_override(app: AppState, id: RecordId) {
    let Some(group) = app.group.get_untracked() else { return };
    spawn_local(async move {
        api::save(app, Change { collection: Collection::Window, id, group, kind: ChangeKind::Delete }).await;
    });
}

/// Corrections members sent, for the coordinator to review.
#[component]
fn Corrections() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let open = move || {
        let group = app.group.get();
        app.cache.with(Collection::Correction, |m| {
            m.values()
                .filter(|r| Some(&r.group) == group.as_ref())
                .filter_map(Doc::<Correction>::from_record)
                .filter(|c| c.data.status.unwrap_or(CorrectionStatus::Open) == CorrectionStatus::Open)
                .collect::<Vec<_>>()
        })
    };
    let set_status = move |c: Doc<Correction>, status: CorrectionStatus| {
        spawn_local(async move {
            let kind = ChangeKind::put(None, vec![("status".into(), Value::String(status.id().into()))]);
            api::save(app, Change { collection: Collection::Correction, id: c.id, group: c.group, kind }).await;
        });
    };
    move || {
        let list = open();
        (!list.is_empty()).then(|| view! {
            <section class="card" data-testid="corrections">
                <h2>{t.corrections_title}</h2>
                <ul class="rows">
                    {list.into_iter().map(|c| {
                        let (c1, c2) = (c.clone(), c.clone());
                        let href = match &c.data.window {
                            WindowRef::Entry(id) => format!("#/window/{id}"),
                            _ => "#/directory".to_owned(),
                        };
                        view! {
                            <li>
                                <div>
                                    <a href=href>{c.data.window_name.to_string()}</a>
                                    <p>{c.data.note.to_string()}</p>
                                </div>
                                <span class="actions">
                                    <button type="button" class="button secondary" on:click=handler::click(move |_| set_status(c1.clone(), CorrectionStatus::Applied))>{t.correction_applied}</button>
                                    <button type="button" class="button secondary" on:click=handler::click(move |_| set_status(c2.clone(), CorrectionStatus::Dismissed))>{t.correction_dismissed}</button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

/// One entry in full; members can send 「情報が違う」.
#[component]
pub fn WindowDetail(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let now = ticking_now();
    let today = now_jst().date;
    let Some((record, entry)) = app.cache.get(Collection::Window, &id).and_then(|r| Doc::<Window>::from_record(&r).map(|d| (r, d))) else {
        return view! { <h1>{t.directory_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    };
    let note = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<String>);
    let send = {
        let (id, name) = (id.clone(), entry.data.name.to_string());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = note.get();
            let (Some(group), Some(cid)) = (app.group.get_untracked(), api::new_id(app)) else { return };
            if text.trim().is_empty() {
                return;
            }
            let correction = Correction { window: WindowRef::Entry(id.clone()), window_name: Text::new(name.clone()), note: Note::new(text.trim()), status: Some(CorrectionStatus::Open), ..Correction::default() };
            spawn_local(async move {
                let change = Change { collection: Collection::Correction, id: cid, group, kind: ChangeKind::put(Some(Visibility::Group), correction.changes()) };
                if api::save(app, change).await.is_some() {
                    note.set(String::new());
                    sent.set(Some(t.correction_sent.to_owned()));
                }
            });
        }
    };
    let update = {
        let id = id.clone();
        move |fields: Vec<(String, Value)>| {
            let (Some(group), id) = (app.group.get_untracked(), id.clone()) else { return };
            spawn_local(async move {
                api::save(app, Change { collection: Collection::Window, id, group, kind: ChangeKind::put(None, fields) }).await;
            });
        }
    };
    let (u1, u2) = (update.clone(), update);
    let w = entry.data.clone();
    let retired = w.retired;
    let may_edit = app.may_update(Collection::Window, &entry.owner, entry.visibility);
    view! {
        <h1>{w.name.to_string()}</h1>
        <p class="kind">{kind_label(t, w.kind)}
            {w.needs_check(today).then(|| view! { " " <span class="tag warn">{t.needs_verify}</span> })}
            {w.retired.then(|| view! { " " <span class="tag muted">{t.retired}</span> })}
        </p>
        <OpenBadge schedule=w.schedule() now/>
        <section class="card">
            <RecordFields schema=&Window::SCHEMA record=record skip=&["name", "type", "retired"]/>
        </section>
        {may_edit.then(|| view! {
            <div class="buttons">
                <a class="button" href=format!("#/window/{}/edit", id) data-testid="edit-window">{t.edit}</a>
                <button type="button" class="button secondary" on:click=handler::click({ let u = u1.clone(); move |_| u(vec![("verified_on".into(), Value::String(now_jst().date.to_string()))]) })>{t.verify_today}</button>
                <button type="button" class="button secondary" on:click=handler::click({ let u = u2.clone(); move |_| u(vec![("retired".into(), Value::Bool(!retired))]) })>{if retired { t.unretire } else { t.retire }}</button>
            </div>
        })}
        <form class="card" on:submit=handler::submit(send) data-testid="correction-form">
            <h2>{t.correction_title}</h2>
            <p>{t.correction_lead}</p>
            <Notice message=sent kind="info"/>
            <TextArea label=t.correction_title value=note rows=3 testid="correction-note"/>
            <button type="submit" class="button secondary">{t.correction_send}</button>
        </form>
    }
    .into_any()
}

/// The coordinator's form for adding or editing an entry.
#[component]
pub fn WindowEditor(#[prop(optional)] id: Option<RecordId>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let existing = id.as_ref().and_then(|id| app.cache.get(Collection::Window, id)).as_ref().and_then(Doc::<Window>::from_record);
    let start = existing.as_ref().map(|d| d.data.clone()).unwrap_or_else(|| Window { closed_holidays: true, closed_new_year: true, verified_on: Some(now_jst().date), ..Window::default() });
    let form = FormState::new(&Window::SCHEMA, &start.to_inputs());
    form.details_open.set(true);
    let failure = RwSignal::new(None::<String>);
    let allowed = match &existing {
        Some(d) => app.may_update(Collection::Window, &d.owner, d.visibility),
        None => app.may_create(Collection::Window),
    };
    if !allowed {
        return view! { <h1>{t.window_edit_title}</h1><p class="notice info">{t.coordinators_only}</p> }.into_any();
    }
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let window = match Window::from_inputs(&form.values_untracked()) {
            Ok(w) => w,
            Err(p) => {
                form.show(p);
                return;
            }
        };
        form.show(Problems::new());
        let (Some(group), Some(rid)) = (app.group.get_untracked(), save_id.clone().or_else(|| api::new_id(app))) else { return };
        spawn_local(async move {
            let change = Change { collection: Collection::Window, id: rid.clone(), group, kind: ChangeKind::put(Some(Visibility::Group), window.changes()) };
            match api::change(app, change).await {
                Ok(_) => {
                    app.flash.set(Some(t.saved_local.to_owned()));
                    go(&format!("#/window/{rid}"));
                }
                Err(e) => failure.set(Some(t.save_failure(SaveFailure::of(&e)).to_owned())),
            }
        });
    };
    view! {
        <h1>{if id.is_some() { t.window_edit_title } else { t.window_new_title }}</h1>
        <form class="window-form" on:submit=handler::submit(save) novalidate data-testid="window-form">
            <ProblemSummary form/>
            <Notice message=failure/>
            <Fields form section=Section::Quick/>
            <Fields form section=Section::Details/>
            <div class="savebar">
                <button type="submit" class="button wide" data-testid="save-window">{t.save}</button>
            </div>
        </form>
    }
    .into_any()
}
