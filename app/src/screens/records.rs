use leptos::prelude::*;

use crate::i18n::use_texts;
use crate::net::Connectivity;

/// 記録: the home screen.
#[component]
pub fn Records() -> impl IntoView {
    let t = use_texts();
    let online = expect_context::<Connectivity>().online;
    view! {
        <h1>{t.records_title}</h1>
        <section class="card">
            <h2>{t.welcome_title}</h2>
            <p>{t.welcome_body}</p>
            <p>{t.welcome_privacy}</p>
        </section>
        <Show when=move || !online.get()>
            <p class="note">{t.offline_hint}</p>
        </Show>
    }
}
