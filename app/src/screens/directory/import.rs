//! Import: a file → a preview → nothing or everything. The file's size is
//! checked before it is read; each row can take its own kind of window;
//! rows matching an entry already there update it; the entries are written
//! in batches, one IndexedDB transaction each, with progress and a way to
//! stop.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::base::taxonomy::WindowType;
use nimo_core::base::time::JstDateTime;
use nimo_core::directory::import::{self, ImportError, ImportRow};
use nimo_core::directory::window::Window;
use nimo_core::schema::{Doc, Typed, Vocab};
use nimo_core::sync::client::{Change, ChangeKind};
use nimo_core::sync::collection::{Collection, Visibility};

use crate::components::ChoiceChips;
use crate::form::fields::labelled;
use crate::i18n::{Texts, use_texts};
use crate::state::{AppState, SaveFailure, api, now_jst, use_app};

/// Entries written per transaction.
const BATCH: usize = 200;

#[derive(Clone, PartialEq)]
struct Preview {
    rows: Vec<ImportRow>,
    /// A kind chosen for each row (from the file, or by the person).
    kinds: Vec<RwSignal<Option<String>>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Run {
    Idle,
    Running { done: usize, total: usize },
    Done { added: usize, updated: usize },
    /// Cancelled, or a batch was not saved (why, then).
    Stopped { done: usize, failure: Option<SaveFailure> },
}

#[component]
pub fn Import() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let all_kind = RwSignal::new(Some(WindowType::MunicipalWelfare.id().to_owned()));
    let preview = RwSignal::new(None::<Result<Preview, ImportError>>);
    let run = RwSignal::new(Run::Idle);
    let cancel = StoredValue::new(false);
    let existing = app.index.windows;
    let on_file = move |ev: leptos::ev::Event| {
        run.set(Run::Idle);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        // Refused by its size before anything is read.
        if let Err(e) = import::check_size(file.size() as u64) {
            preview.set(Some(Err(e)));
            return;
        }
        let name = file.name();
        let modified = JstDateTime::from_unix_ms(file.last_modified() as i64).date;
        spawn_local(async move {
            let Ok(text) = crate::platform::files::read_text(&file).await else {
                preview.set(Some(Err(ImportError::Empty)));
                return;
            };
            let result = if name.ends_with(".json") || text.trim_start().starts_with('{') {
                nimo_core::directory::hsds::import(&text)
            } else {
                import::open_data(&text, &format!("{name}（{}読み込み）", now_jst().date), Some(modified))
            };
            preview.set(Some(result.map(|rows| {
                let kinds = rows.iter().map(|r| RwSignal::new(r.result.as_ref().ok().and_then(|w| w.kind).map(|k| k.id().to_owned()))).collect();
                Preview { rows, kinds }
            })));
        });
    };
    let start = move |_| {
        let Some(Ok(p)) = preview.get_untracked() else { return };
        if p.rows.iter().any(|r| !r.is_ok()) || matches!(run.get_untracked(), Run::Running { .. }) {
            return;
        }
        let fallback = all_kind.get_untracked().and_then(|k| WindowType::from_id(&k)).unwrap_or(WindowType::MunicipalWelfare);
        let windows: Vec<Window> = p
            .rows
            .iter()
            .zip(&p.kinds)
            .filter_map(|(r, k)| {
                let mut w = r.result.clone().ok()?;
                w.kind = k.get_untracked().and_then(|k| WindowType::from_id(&k)).or(w.kind).or(Some(fallback));
                Some(w)
            })
            .collect();
        cancel.set_value(false);
        // Marked running at once: a second tap finds it so and does nothing.
        run.set(Run::Running { done: 0, total: windows.len() });
        let known = existing.get_untracked();
        spawn_local(async move { write_all(app, windows, known, run, cancel).await });
    };
    view! {
        <h1>{t.import_title}</h1>
        <p>{t.import_lead}</p>
        <p class="hint">{t.import_limits}</p>
        <label class="field">
            <span class="label">{t.import_file}</span>
            <input type="file" accept=".csv,.json,text/csv,application/json" data-testid="import-file" on:change=handler::change(on_file)
                disabled=move || matches!(run.get(), Run::Running { .. })/>
        </label>
        {move || match run.get() {
            Run::Idle => ().into_any(),
            Run::Running { done, total } => view! {
                <div class="notice info" role="status" data-testid="import-progress">
                    <p>{t.importing(done, total)}</p>
                    <progress max=total value=done></progress>
                    <button type="button" class="button secondary" data-testid="import-cancel" on:click=handler::click(move |_| cancel.set_value(true))>{t.cancel}</button>
                </div>
            }.into_any(),
            Run::Done { added, updated } => view! { <p class="notice info" role="status" data-testid="import-done">{t.import_result(added, updated)}</p> }.into_any(),
            Run::Stopped { done, failure: None } => view! { <p class="notice warning" role="status" data-testid="import-stopped">{t.import_stopped(done)}</p> }.into_any(),
            Run::Stopped { done, failure: Some(f) } => view! { <p class="notice error" role="alert" data-testid="import-stopped">{t.save_failure(f)}" "{t.import_stopped(done)}</p> }.into_any(),
        }}
        {move || preview.get().map(|result| match result {
            Err(e) => view! { <p class="notice error" role="alert" data-testid="import-error">{e.say().get(ja).to_owned()}</p> }.into_any(),
            Ok(p) => preview_view(t, p, all_kind, run, existing, start).into_any(),
        })}
    }
}

fn preview_view(t: &'static Texts, p: Preview, all_kind: RwSignal<Option<String>>, run: RwSignal<Run>, existing: Memo<Vec<Doc<Window>>>, start: impl Fn(leptos::ev::MouseEvent) + 'static) -> impl IntoView {
    let ja = t.is_ja();
    let bad: Vec<ImportRow> = p.rows.iter().filter(|r| !r.is_ok()).cloned().collect();
    let good: Vec<(ImportRow, RwSignal<Option<String>>)> = p.rows.iter().cloned().zip(p.kinds.iter().copied()).filter(|(r, _)| r.is_ok()).collect();
    let needs_kind = good.iter().any(|(r, _)| r.result.as_ref().is_ok_and(|w| w.kind.is_none()));
    let kinds = labelled(WindowType::OPTIONS, ja);
    view! {
        <section class="card" data-testid="import-preview">
            <h2>{t.import_preview}</h2>
            <p><strong>{t.import_ok_rows}</strong>"："{t.count(good.len())}</p>
            {needs_kind.then(|| view! {
                <ChoiceChips label=t.import_type options=kinds.clone() selected=all_kind can_clear=false testid="import-kind"/>
                <p class="hint">{t.import_kind_hint}</p>
            })}
            <ul class="rows" data-testid="import-rows">
                {good.into_iter().map(|(r, kind)| {
                    let w = r.result.clone().unwrap_or_default();
                    let update = existing.with_untracked(|all| import::existing(&w, all).is_some());
                    let options = kinds.clone();
                    view! {
                        <li>
                            <span>{r.name.clone()}{update.then(|| view! { " " <span class="tag">{t.import_updates}</span> })}</span>
                            <select aria-label=t.import_row_kind on:change=handler::change(move |ev| { let v = event_target_value(&ev); kind.set((!v.is_empty()).then_some(v)); })>
                                <option value="" selected=move || kind.get().is_none()>{t.import_kind_all}</option>
                                {options.into_iter().map(|(id, label)| view! { <option value=id selected=move || kind.get().as_deref() == Some(id)>{label}</option> }).collect_view()}
                            </select>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!bad.is_empty()).then(|| view! {
                <p class="notice error" role="alert" data-testid="import-blocked">{t.import_blocked}</p>
                <h3>{t.import_bad_rows}"："{t.count(bad.len())}</h3>
                <ul class="rows" data-testid="import-errors">
                    {bad.iter().map(|r| {
                        let said: Vec<String> = r.result.clone().err().unwrap_or_default().iter().map(|p| p.say().get(ja).to_owned()).collect();
                        view! { <li><span>{t.line_n(r.line)}"："{r.name.clone()}<br/><small>{said.join(" / ")}</small></span></li> }
                    }).collect_view()}
                </ul>
            })}
            <button type="button" class="button" data-testid="import-run" on:click=handler::click(start)
                disabled=move || !bad.is_empty() || matches!(run.get(), Run::Running { .. })>{t.import_run}</button>
        </section>
    }
}

/// Writes the entries in batches; an entry matching one already there (the
/// same id in the source, or the same name and address) updates it.
async fn write_all(app: AppState, windows: Vec<Window>, known: Vec<Doc<Window>>, run: RwSignal<Run>, cancel: StoredValue<bool>) {
    let Some(group) = app.group.get_untracked() else { return };
    let total = windows.len();
    let (mut added, mut updated, mut done) = (0, 0, 0);
    run.set(Run::Running { done, total });
    for batch in windows.chunks(BATCH) {
        if cancel.get_value() {
            run.set(Run::Stopped { done, failure: None });
            return;
        }
        let mut changes = Vec::with_capacity(batch.len());
        for w in batch {
            let (id, visibility) = match import::existing(w, &known) {
                Some(doc) => {
                    updated += 1;
                    (doc.id.clone(), None)
                }
                None => {
                    added += 1;
                    let Some(id) = api::new_id(app) else { return };
                    (id, Some(Visibility::Group))
                }
            };
            changes.push(Change { collection: Collection::Window, id, group: group.clone(), kind: ChangeKind::put(visibility, w.changes()) });
        }
        if let Err(e) = api::change_many(app, changes).await {
            run.set(Run::Stopped { done, failure: Some(SaveFailure::of(&e)) });
            return;
        }
        done += batch.len();
        run.set(Run::Running { done, total });
    }
    run.set(Run::Done { added, updated });
}
