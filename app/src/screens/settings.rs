use leptos::prelude::*;

use crate::i18n::{Lang, Texts, use_i18n};

/// 設定: language and, later, account, lock and sync.
#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let choice = move |lang: Lang, label: fn(&Texts) -> &'static str| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="lang"
                    value=lang.code()
                    prop:checked=move || i18n.lang() == lang
                    on:change=move |_| i18n.set(lang)
                />
                <span>{move || label(i18n.t())}</span>
            </label>
        }
    };
    view! {
        <h1>{move || i18n.t().settings_title}</h1>
        <fieldset class="card">
            <legend>{move || i18n.t().language}</legend>
            {choice(Lang::Ja, |t| t.lang_ja)}
            {choice(Lang::En, |t| t.lang_en)}
        </fieldset>
        <section class="card">
            <h2>{move || i18n.t().about}</h2>
            <p>{move || i18n.t().version} " " {env!("CARGO_PKG_VERSION")}</p>
        </section>
    }
}
