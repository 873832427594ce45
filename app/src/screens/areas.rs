//! Picking a prefecture or municipality: type 「こうべ」 or 「神戸」.

use leptos::prelude::*;
use nimo_core::area::{self, AreaCode};

use crate::components::next_id;
use crate::i18n::use_texts;

/// A search box over the shipped list; `selected` holds the 6-digit code.
#[component]
pub fn AreaPicker(label: &'static str, selected: RwSignal<Option<String>>, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    let t = use_texts();
    let query = RwSignal::new(String::new());
    let id = next_id("a");
    let input_id = id.clone();
    let chosen = move || selected.get().and_then(|c| AreaCode::parse(&c).ok()).map(area::full_name);
    let results = Memo::new(move |_| area::search(&query.get(), 8));
    view! {
        <div class="field area-picker" data-testid=testid>
            <label for=id>{label}</label>
            {move || chosen().map(|name| view! {
                <p class="chosen">
                    <strong data-testid="area-chosen">{name}</strong>" "
                    <button type="button" class="link" on:click=move |_| selected.set(None)>{t.change}</button>
                </p>
            })}
            <Show when=move || selected.with(Option::is_none)>
                <input id=input_id.clone() type="search" autocomplete="off" placeholder=t.area_hint
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                <ul class="suggestions">
                    {move || results.get().into_iter().map(|a| {
                        let code = a.code.to_string();
                        let name = area::full_name(a.code);
                        view! {
                            <li>
                                <button type="button" class="suggestion" on:click=move |_| { selected.set(Some(code.clone())); query.set(String::new()); }>
                                    {name}<small>" "{a.kana}</small>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
