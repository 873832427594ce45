//! Picking a prefecture or municipality: type 「こうべ」 or 「神戸」. The
//! list of 1,788 areas is a data file read once, after the first real
//! screen (not the loading one) has painted, not code.

use crate::handler;
use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::directory::area::{self, AreaCode};

use crate::components::next_id;
use crate::i18n::use_texts;
use crate::state::Phase;

/// Whether the list of areas has been read (shared through context).
#[derive(Clone, Copy)]
pub struct AreasReady(pub RwSignal<bool>);

thread_local! {
    static LOADING: Cell<bool> = const { Cell::new(false) };
}

/// Reads the list once (from the service worker's cache when offline),
/// after the session's first screen has painted: `phase` leaving
/// `Starting`. Waiting only for the first frame put the parse (and the
/// file's fetch) between the store's answers on a member's reload, while
/// the loading screen was up, ahead of the records list.
pub fn provide_and_load(phase: RwSignal<Phase>) {
    let ready = RwSignal::new(area::list().is_some());
    provide_context(AreasReady(ready));
    if ready.get_untracked() || LOADING.with(|l| l.replace(true)) {
        return;
    }
    let mut started = false;
    handler::effect(move |_| {
        // Untracked once started, so the effect does not run again.
        if started || phase.with(|p| matches!(p, Phase::Starting)) {
            return;
        }
        started = true;
        spawn_local(async move {
            crate::platform::js::after_paint().await;
            if let Some(tsv) = crate::platform::assets::text("nimoAreas").await {
                area::install(&tsv);
                ready.set(true);
            }
            LOADING.with(|l| l.set(false));
        });
    });
}

fn ready() -> bool {
    use_context::<AreasReady>().is_some_and(|r| r.0.get())
}

/// A search box over the list; `selected` holds the 6-digit code.
#[component]
pub fn AreaPicker(label: &'static str, selected: RwSignal<Option<String>>, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    let t = use_texts();
    let query = RwSignal::new(String::new());
    let id = next_id("a");
    let input_id = id.clone();
    let chosen = move || {
        ready();
        selected.get().and_then(|c| AreaCode::parse(&c).ok()).map(area::full_name)
    };
    let results = Memo::new(move |_| {
        ready();
        area::search(&query.get(), 8)
    });
    view! {
        <div class="field area-picker" data-testid=testid>
            <label for=id>{label}</label>
            {move || chosen().map(|name| view! {
                <p class="chosen">
                    <strong data-testid="area-chosen">{name}</strong>" "
                    <button type="button" class="link" on:click=handler::click(move |_| selected.set(None))>{t.change}</button>
                </p>
            })}
            <Show when=move || selected.with(Option::is_none)>
                <input id=input_id.clone() type="search" autocomplete="off" placeholder=t.area_hint
                    prop:value=move || query.get() on:input=handler::input(move |ev| query.set(event_target_value(&ev)))/>
                <ul class="suggestions">
                    {move || results.get().into_iter().map(|a| {
                        let code = a.code.to_string();
                        let name = area::full_name(a.code);
                        view! {
                            <li>
                                <button type="button" class="suggestion" on:click=handler::click(move |_| { selected.set(Some(code.clone())); query.set(String::new()); })>
                                    {name}<small>" "{a.kana.clone()}</small>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
