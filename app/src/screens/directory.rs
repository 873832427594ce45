//! The group's directory: every entry (要確認 when not checked for a year),
//! one entry in full with 「情報が違う」, the coordinator's form, the
//! corrections to review, and import / export.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::area::{self, AreaCode};
use nimo_core::client::{Change, ChangeKind};
use nimo_core::collection::{Collection, Visibility};
use nimo_core::directory::{SessionForm, WindowEntry, WindowForm, WindowProblem};
use nimo_core::ids::RecordId;
use nimo_core::taxonomy::WindowType;
use nimo_core::window::{Day, Phone, ServiceArea};
use serde_json::json;

use crate::components::{ChoiceChips, MultiChips, Notice, TextArea, TextField, download};
use crate::i18n::{Texts, use_texts};
use crate::route::go;
use crate::screens::areas::AreaPicker;
use crate::screens::crisis::tel_href;
use crate::screens::windows::{OpenBadge, entries, ticking_now};
use crate::state::{self, AppState, now_jst, use_app};

#[component]
pub fn Directory() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let entries = entries(app);
    let show_retired = RwSignal::new(false);
    let today = now_jst().date;
    let export = move |_| {
        let file = nimo_core::directory::to_hsds(&entries.get_untracked(), today);
        let json = serde_json::to_string_pretty(&file).unwrap_or_default();
        download(&format!("nimo-directory-{today}.json"), "application/json", json.as_bytes());
    };
    view! {
        <div class="screen-head">
            <h1>{t.directory_title}</h1>
            <Show when=move || app.is_coordinator()>
                <a class="button small" href="#/window/new" data-testid="add-window">{t.add_window}</a>
            </Show>
        </div>
        <Show when=move || app.is_coordinator()>
            <Corrections/>
        </Show>
        <label class="choice"><input type="checkbox" prop:checked=move || show_retired.get() on:change=move |ev| show_retired.set(event_target_checked(&ev))/><span>{t.show_retired}</span></label>
        {move || {
            let mut list = entries.get();
            list.retain(|e| show_retired.get() || !e.retired);
            list.sort_by(|a, b| (a.window_type.level(), &a.kana, &a.name).cmp(&(b.window_type.level(), &b.kana, &b.name)));
            if list.is_empty() {
                return view! { <p class="empty">{t.directory_empty}</p> }.into_any();
            }
            view! {
                <ul class="rows" data-testid="directory">
                    {list.into_iter().map(|e| view! {
                        <li>
                            <a href=format!("#/window/{}", e.id)>
                                <strong>{e.name.clone()}</strong><br/>
                                <small>{t.window_type(e.window_type)}</small>
                            </a>
                            <span class="tags">
                                {e.needs_check(today).then(|| view! { <span class="tag warn">{t.needs_verify}</span> })}
                                {e.retired.then(|| view! { <span class="tag muted">{t.retired}</span> })}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <section class="card">
            <h2>{t.import_export}</h2>
            <div class="buttons">
                <button type="button" class="button secondary" data-testid="export-hsds" on:click=export>{t.export_hsds}</button>
                <Show when=move || app.is_coordinator()>
                    <a class="button secondary" href="#/directory/import" data-testid="import-link">{t.import_title}</a>
                </Show>
            </div>
        </section>
    }
}

/// Corrections members sent, for the coordinator to review.
#[component]
fn Corrections() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let open = move || {
        let group = app.group.get();
        app.cache.filter(Collection::Correction, |r| Some(&r.group) == group.as_ref() && r.text("status").unwrap_or("open") == "open")
    };
    let set_status = move |r: nimo_core::record::Record, status: &'static str| {
        spawn_local(async move {
            let kind = ChangeKind::put(None, vec![("status".into(), json!(status))]);
            let _ = state::change(app, Change { collection: Collection::Correction, id: r.id, group: r.group, kind }).await;
        });
    };
    view! {
        {move || {
            let list = open();
            (!list.is_empty()).then(|| view! {
                <section class="card" data-testid="corrections">
                    <h2>{t.corrections_title}</h2>
                    <ul class="rows">
                        {list.into_iter().map(|r| {
                            let (r1, r2) = (r.clone(), r.clone());
                            view! {
                                <li>
                                    <div>
                                        <a href=format!("#/window/{}", r.text("window").unwrap_or(""))>{r.text("window_name").unwrap_or("").to_owned()}</a>
                                        <p>{r.text("note").unwrap_or("").to_owned()}</p>
                                    </div>
                                    <span class="actions">
                                        <button type="button" class="button secondary" on:click=move |_| set_status(r1.clone(), "applied")>{t.correction_applied}</button>
                                        <button type="button" class="button secondary" on:click=move |_| set_status(r2.clone(), "dismissed")>{t.correction_dismissed}</button>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
    }
}

fn area_label(a: &ServiceArea, t: &'static Texts) -> String {
    match a {
        ServiceArea::Municipality { code } | ServiceArea::Prefecture { code } => area::full_name(*code),
        ServiceArea::HealthArea { name, codes } => format!("{name}（{}）", codes.iter().map(|c| area::find(*c).map(|a| a.name).unwrap_or("?")).collect::<Vec<_>>().join("・")),
        ServiceArea::National => t.nationwide.to_owned(),
    }
}

/// One entry in full; members can send 「情報が違う」.
#[component]
pub fn WindowDetail(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let now = ticking_now();
    let today = now_jst().date;
    let record = {
        let id = id.clone();
        move || app.cache.get(Collection::Window, &id)
    };
    let Some(entry) = record().and_then(|r| WindowEntry::from_record(&r)) else {
        return view! { <h1>{t.directory_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    };
    let note = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<String>);
    let send = {
        let (id, name) = (id.clone(), entry.name.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = note.get();
            let (Some(group), Some(cid)) = (app.group.get_untracked(), state::new_id(app)) else { return };
            if text.trim().is_empty() {
                return;
            }
            let (id, name) = (id.clone(), name.clone());
            spawn_local(async move {
                let fields = vec![("window".into(), json!(id.to_string())), ("window_name".into(), json!(name)), ("note".into(), json!(text.trim())), ("status".into(), json!("open"))];
                let change = Change { collection: Collection::Correction, id: cid, group, kind: ChangeKind::put(Some(Visibility::Group), fields) };
                if state::change(app, change).await.is_ok() {
                    note.set(String::new());
                    sent.set(Some(t.correction_sent.to_owned()));
                }
            });
        }
    };
    let update = {
        let id = id.clone();
        move |fields: Vec<(String, serde_json::Value)>| {
            let (Some(group), id) = (app.group.get_untracked(), id.clone()) else { return };
            spawn_local(async move {
                let _ = state::change(app, Change { collection: Collection::Window, id, group, kind: ChangeKind::put(None, fields) }).await;
            });
        }
    };
    let (u1, u2) = (update.clone(), update);
    let retired = entry.retired;
    let e = entry.clone();
    view! {
        <h1>{e.name.clone()}</h1>
        <p class="kind">{t.window_type(e.window_type)}
            {e.needs_check(today).then(|| view! { " " <span class="tag warn">{t.needs_verify}</span> })}
            {e.retired.then(|| view! { " " <span class="tag muted">{t.retired}</span> })}
        </p>
        <OpenBadge schedule=e.schedule.clone() now/>
        <section class="card">
            <ul class="contacts">
                {e.phones.iter().map(|p| view! { <li><a class="tel" href=tel_href(&p.number)><span class="number">{p.number.clone()}</span><small>{p.note.clone().unwrap_or_default()}</small></a></li> }).collect_view()}
                {(!e.fax.is_empty()).then(|| view! { <li>{t.fax}"："{e.fax.clone()}</li> })}
                {(!e.email.is_empty()).then(|| view! { <li><a href=format!("mailto:{}", e.email)>{e.email.clone()}</a></li> })}
                {(!e.url.is_empty()).then(|| view! { <li><a href=e.url.clone() rel="noopener noreferrer" target="_blank">{t.website}</a></li> })}
                {(!e.address.is_empty()).then(|| view! { <li>{e.address.clone()}</li> })}
            </ul>
            <p><strong>{t.window_areas}</strong>"："{e.areas.iter().map(|a| area_label(a, t)).collect::<Vec<_>>().join("、")}</p>
            <p><strong>{t.hours}</strong>"："{e.schedule.weekly.iter().map(|s| format!("{} {}–{}", s.days.iter().map(|d| d.weekday().ja()).collect::<String>(), s.opens, s.closes)).collect::<Vec<_>>().join(" / ")}
                {e.schedule.closed_holidays.then(|| view! { "・"{t.closed_holidays} })}
                {e.schedule.closed_new_year.then(|| view! { "・"{t.closed_new_year} })}
            </p>
            {e.reservation.then(|| view! { <p>{t.reservation}</p> })}
            {e.anonymous_ok.then(|| view! { <p>{t.anonymous_ok}</p> })}
            {(!e.note.is_empty()).then(|| view! { <p class="prewrap">{e.note.clone()}</p> })}
            <p class="hint">{t.verified_on}"："{e.verified_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}" · "{t.source}"："{e.source.clone()}</p>
        </section>
        <Show when=move || app.is_coordinator()>
            <div class="buttons">
                <a class="button" href=format!("#/window/{}/edit", id) data-testid="edit-window">{t.edit}</a>
                <button type="button" class="button secondary" on:click={ let u = u1.clone(); move |_| u(vec![("verified_on".into(), json!(now_jst().date.to_string()))]) }>{t.verify_today}</button>
                <button type="button" class="button secondary" on:click={ let u = u2.clone(); move |_| u(vec![("retired".into(), json!(!retired))]) }>{if retired { t.unretire } else { t.retire }}</button>
            </div>
        </Show>
        <form class="card" on:submit=send data-testid="correction-form">
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
    let start = id
        .as_ref()
        .and_then(|id| app.cache.get(Collection::Window, id))
        .and_then(|r| WindowEntry::from_record(&r))
        .map(|e| WindowForm::from_entry(&e))
        .unwrap_or_else(|| WindowForm { closed_holidays: true, closed_new_year: true, verified_on: now_jst().date.to_string(), ..WindowForm::default() });
    let form = RwSignal::new(start);
    let name = RwSignal::new(form.get_untracked().name);
    let kana = RwSignal::new(form.get_untracked().kana);
    let kind = RwSignal::new(form.get_untracked().window_type);
    let address = RwSignal::new(form.get_untracked().address);
    let fax = RwSignal::new(form.get_untracked().fax);
    let email = RwSignal::new(form.get_untracked().email);
    let url = RwSignal::new(form.get_untracked().url);
    let note = RwSignal::new(form.get_untracked().note);
    let verified = RwSignal::new(form.get_untracked().verified_on);
    let source = RwSignal::new(form.get_untracked().source);
    let channels = RwSignal::new(form.get_untracked().channels);
    let for_whom = RwSignal::new(form.get_untracked().for_whom);
    let problems = RwSignal::new(BTreeMap::<&'static str, WindowProblem>::new());
    let failure = RwSignal::new(None::<String>);
    let err = move |field: &'static str| {
        let s = RwSignal::new(None::<&'static str>);
        Effect::new(move |_| s.set(problems.with(|p| p.get(field).map(|x| t.window_problem(*x)))));
        s
    };
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut f = form.get();
        f.name = name.get();
        f.kana = kana.get();
        f.window_type = kind.get();
        f.address = address.get();
        f.fax = fax.get();
        f.email = email.get();
        f.url = url.get();
        f.note = note.get();
        f.verified_on = verified.get();
        f.source = source.get();
        f.channels = channels.get();
        f.for_whom = for_whom.get();
        let fields = match f.to_fields() {
            Ok(fields) => fields,
            Err(p) => {
                problems.set(p);
                failure.set(Some(t.form_has_problems.to_owned()));
                return;
            }
        };
        problems.set(BTreeMap::new());
        let (Some(group), Some(rid)) = (app.group.get_untracked(), save_id.clone().or_else(|| state::new_id(app))) else { return };
        spawn_local(async move {
            let change = Change { collection: Collection::Window, id: rid.clone(), group, kind: ChangeKind::put(Some(Visibility::Group), fields) };
            match state::change(app, change).await {
                Ok(_) => {
                    app.flash.set(Some(t.saved_local.to_owned()));
                    go(&format!("#/window/{rid}"));
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let types: Vec<(&'static str, &'static str)> = WindowType::ALL.iter().filter(|w| **w != WindowType::NationalLine).map(|w| (w.id(), t.window_type(*w))).collect();
    view! {
        <h1>{if id.is_some() { t.window_edit_title } else { t.window_new_title }}</h1>
        <form class="window-form" on:submit=save novalidate data-testid="window-form">
            <Notice message=failure/>
            <TextField label=t.window_name value=name error=err("name") testid="window-name"/>
            <TextField label=t.window_kana value=kana/>
            <ChoiceChips label=t.window_type options=types selected=kind testid="window-type" can_clear=false/>
            <p class="error" role="alert">{move || problems.with(|p| p.get("type").map(|x| t.window_problem(*x)))}</p>
            <AreasEditor form/>
            <TextField label=t.address value=address/>
            <PhonesEditor form error=err("phones")/>
            <TextField label=t.fax value=fax kind="tel" error=err("fax")/>
            <TextField label=t.email value=email kind="email" error=err("email")/>
            <TextField label=t.url value=url kind="url" error=err("url")/>
            <MultiChips label=t.channels options=t.channel_options() selected=channels/>
            <SessionsEditor form/>
            <p class="error" role="alert">{move || problems.with(|p| p.get("hours").map(|x| t.window_problem(*x)))}</p>
            <Flag label=t.closed_holidays form get=|f| f.closed_holidays set=|f, v| f.closed_holidays = v/>
            <Flag label=t.closed_new_year form get=|f| f.closed_new_year set=|f, v| f.closed_new_year = v/>
            <Flag label=t.reservation form get=|f| f.reservation set=|f, v| f.reservation = v/>
            <Flag label=t.anonymous_ok form get=|f| f.anonymous_ok set=|f, v| f.anonymous_ok = v/>
            <MultiChips label=t.for_whom options=t.for_whom_options() selected=for_whom/>
            <TextArea label=t.window_note value=note/>
            <TextField label=t.verified_on value=verified kind="date" error=err("verified_on")/>
            <TextField label=t.source value=source/>
            <button type="submit" class="button wide" data-testid="save-window">{t.save}</button>
        </form>
    }
}

#[component]
fn Flag(label: &'static str, form: RwSignal<WindowForm>, get: fn(&WindowForm) -> bool, set: fn(&mut WindowForm, bool)) -> impl IntoView {
    view! {
        <label class="choice">
            <input type="checkbox" prop:checked=move || form.with(get) on:change=move |ev| form.update(|f| set(f, event_target_checked(&ev)))/>
            <span>{label}</span>
        </label>
    }
}

#[component]
fn AreasEditor(form: RwSignal<WindowForm>) -> impl IntoView {
    let t = use_texts();
    let picked = RwSignal::new(None::<String>);
    let add = move |whole_prefecture: bool| {
        let Some(code) = picked.get().and_then(|c| AreaCode::parse(&c).ok()) else { return };
        let area = if whole_prefecture || code.is_prefecture() {
            ServiceArea::Prefecture { code: code.prefecture_code() }
        } else {
            ServiceArea::Municipality { code }
        };
        form.update(|f| {
            if !f.areas.contains(&area) {
                f.areas.push(area);
            }
        });
        picked.set(None);
    };
    view! {
        <fieldset class="plain" data-testid="areas-editor">
            <legend>{t.window_areas}</legend>
            <ul class="rows">
                {move || form.get().areas.into_iter().enumerate().map(|(i, a)| view! {
                    <li><span>{area_label(&a, t)}</span>
                        <button type="button" class="button secondary" on:click=move |_| form.update(|f| { if i < f.areas.len() { f.areas.remove(i); } })>{t.remove}</button>
                    </li>
                }).collect_view()}
            </ul>
            <AreaPicker label=t.area selected=picked testid="window-area"/>
            <div class="buttons">
                <button type="button" class="button secondary" data-testid="add-area" on:click=move |_| add(false)>{t.add_area}</button>
                <button type="button" class="button secondary" on:click=move |_| add(true)>{t.whole_prefecture}</button>
                <button type="button" class="button secondary" on:click=move |_| form.update(|f| { if !f.areas.contains(&ServiceArea::National) { f.areas.push(ServiceArea::National); } })>{t.nationwide}</button>
            </div>
        </fieldset>
    }
}

#[component]
fn PhonesEditor(form: RwSignal<WindowForm>, error: RwSignal<Option<&'static str>>) -> impl IntoView {
    let t = use_texts();
    let number = RwSignal::new(String::new());
    let phone_note = RwSignal::new(String::new());
    let add = move |_| {
        let n = number.get().trim().to_owned();
        if n.is_empty() {
            return;
        }
        let note = Some(phone_note.get().trim().to_owned()).filter(|s| !s.is_empty());
        form.update(|f| f.phones.push(Phone { number: n, note }));
        number.set(String::new());
        phone_note.set(String::new());
    };
    view! {
        <fieldset class="plain">
            <legend>{t.phones}</legend>
            <ul class="rows">
                {move || form.get().phones.into_iter().enumerate().map(|(i, p)| view! {
                    <li><span>{p.number.clone()}" "<small>{p.note.clone().unwrap_or_default()}</small></span>
                        <button type="button" class="button secondary" on:click=move |_| form.update(|f| { if i < f.phones.len() { f.phones.remove(i); } })>{t.remove}</button>
                    </li>
                }).collect_view()}
            </ul>
            <TextField label=t.phones value=number kind="tel" error=error testid="phone-number"/>
            <TextField label=t.phone_note value=phone_note/>
            <button type="button" class="button secondary" data-testid="add-phone" on:click=add>{t.add_phone}</button>
        </fieldset>
    }
}

#[component]
fn SessionsEditor(form: RwSignal<WindowForm>) -> impl IntoView {
    let t = use_texts();
    let days = RwSignal::new(vec!["mon".to_owned(), "tue".to_owned(), "wed".to_owned(), "thu".to_owned(), "fri".to_owned()]);
    let opens = RwSignal::new("9:00".to_owned());
    let closes = RwSignal::new("17:00".to_owned());
    let add = move |_| {
        let picked: Vec<Day> = days.get().iter().filter_map(|d| serde_json::from_value(json!(d)).ok()).collect();
        form.update(|f| f.sessions.push(SessionForm { days: picked, opens: opens.get(), closes: closes.get() }));
    };
    view! {
        <fieldset class="plain" data-testid="sessions-editor">
            <legend>{t.hours}</legend>
            <ul class="rows">
                {move || form.get().sessions.into_iter().enumerate().map(|(i, s)| view! {
                    <li><span>{s.days.iter().map(|d| if t.is_ja() { d.weekday().ja() } else { d.weekday().en() }).collect::<Vec<_>>().join(" ")}" "{s.opens.clone()}"–"{s.closes.clone()}</span>
                        <button type="button" class="button secondary" on:click=move |_| form.update(|f| { if i < f.sessions.len() { f.sessions.remove(i); } })>{t.remove}</button>
                    </li>
                }).collect_view()}
            </ul>
            <MultiChips label=t.hours options=t.day_options() selected=days/>
            <div class="two">
                <TextField label=t.opens value=opens kind="time"/>
                <TextField label=t.closes value=closes kind="time"/>
            </div>
            <button type="button" class="button secondary" data-testid="add-session" on:click=add>{t.add_session}</button>
        </fieldset>
    }
}

/// Import: a file → a preview → nothing or everything.
#[component]
pub fn Import() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let kind = RwSignal::new(Some(WindowType::MunicipalWelfare.id().to_owned()));
    let rows = RwSignal::new(None::<Result<Vec<nimo_core::directory::ImportRow>, String>>);
    let done = RwSignal::new(None::<String>);
    let file_text = RwSignal::new(None::<(String, String)>);
    let parse = move || {
        let Some((name, text)) = file_text.get() else { return };
        let window_type = kind.get().and_then(|k| WindowType::from_id(&k)).unwrap_or(WindowType::MunicipalWelfare);
        let result = if name.ends_with(".json") || text.trim_start().starts_with('{') {
            nimo_core::directory::from_hsds(&text)
        } else {
            nimo_core::import::open_data(&text, window_type, &format!("{name}（{}読み込み）", now_jst().date)).map_err(|e| e.to_string())
        };
        rows.set(Some(result));
    };
    Effect::new(move |_| parse());
    let on_file = move |ev: leptos::ev::Event| {
        done.set(None);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let name = file.name();
        spawn_local(async move {
            match read_file(&file).await {
                Ok(text) => file_text.set(Some((name, text))),
                Err(e) => rows.set(Some(Err(e))),
            }
        });
    };
    let run = move |_| {
        let Some(Ok(list)) = rows.get_untracked() else { return };
        if list.iter().any(|r| r.result.is_err()) {
            return;
        }
        spawn_local(async move {
            let n = import_rows(app, list).await;
            done.set(Some(format!("{}：{}", t.import_done, t.count(n))));
            rows.set(None);
            file_text.set(None);
        });
    };
    let types: Vec<(&'static str, &'static str)> = WindowType::ALL.iter().filter(|w| **w != WindowType::NationalLine).map(|w| (w.id(), t.window_type(*w))).collect();
    view! {
        <h1>{t.import_title}</h1>
        <p>{t.import_lead}</p>
        <Notice message=done kind="info"/>
        <ChoiceChips label=t.import_type options=types selected=kind can_clear=false/>
        <label class="field">
            <span class="label">{t.import_file}</span>
            <input type="file" accept=".csv,.json,text/csv,application/json" data-testid="import-file" on:change=on_file/>
        </label>
        {move || rows.get().map(|result| match result {
            Err(e) => view! { <p class="notice error" role="alert" data-testid="import-error">{t.import_bad_file}"："{e}</p> }.into_any(),
            Ok(list) => {
                let bad: Vec<_> = list.iter().filter(|r| r.result.is_err()).cloned().collect();
                let good: Vec<_> = list.iter().filter(|r| r.result.is_ok()).cloned().collect();
                view! {
                    <section class="card" data-testid="import-preview">
                        <h2>{t.import_preview}</h2>
                        <p><strong>{t.import_ok_rows}</strong>"："{t.count(good.len())}</p>
                        <ul class="rows">{good.iter().map(|r| view! { <li>{r.name.clone()}</li> }).collect_view()}</ul>
                        {(!bad.is_empty()).then(|| view! {
                            <p class="notice error" role="alert" data-testid="import-blocked">{t.import_blocked}</p>
                            <h3>{t.import_bad_rows}"："{t.count(bad.len())}</h3>
                            <ul class="rows" data-testid="import-errors">
                                {bad.iter().map(|r| view! { <li><span>{t.line}" "{r.line}"："{r.name.clone()}<br/><small>{r.result.clone().err().unwrap_or_default().join(" / ")}</small></span></li> }).collect_view()}
                            </ul>
                        })}
                        <button type="button" class="button" data-testid="import-run" disabled=!bad.is_empty() || good.is_empty() on:click=run>{t.import_run}</button>
                    </section>
                }.into_any()
            }
        })}
    }
}

/// Reads a file as text: UTF-8 (with or without BOM) or Shift_JIS, decided
/// by `nimo_core::import::detect`, decoded by the browser.
async fn read_file(file: &web_sys::File) -> Result<String, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(|e| crate::platform::js::error_text(&e))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let label = match nimo_core::import::detect(&bytes) {
        nimo_core::import::Encoding::Utf8 => "utf-8",
        nimo_core::import::Encoding::ShiftJis => "shift_jis",
    };
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(false);
    let decoder = web_sys::TextDecoder::new_with_label_and_options(label, &options).map_err(|e| crate::platform::js::error_text(&e))?;
    let text = decoder.decode_with_u8_array(&mut bytes.clone()).map_err(|e| crate::platform::js::error_text(&e))?;
    Ok(text.trim_start_matches('\u{FEFF}').to_owned())
}

async fn import_rows(app: AppState, rows: Vec<nimo_core::directory::ImportRow>) -> usize {
    let Some(group) = app.group.get_untracked() else { return 0 };
    let mut n = 0;
    for row in rows {
        let Ok(form) = row.result else { continue };
        let Ok(fields) = form.to_fields() else { continue };
        let Some(id) = state::new_id(app) else { continue };
        let change = Change { collection: Collection::Window, id, group: group.clone(), kind: ChangeKind::put(Some(Visibility::Group), fields) };
        if state::change(app, change).await.is_ok() {
            n += 1;
        }
    }
    n
}
