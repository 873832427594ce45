use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::net::Connectivity;

/// 記録: the home screen.
#[component]
pub fn Records() -> impl IntoView {
    let i18n = use_i18n();
    let online = expect_context::<Connectivity>().online;
    view! {
        <h1>{move || i18n.t().records_title}</h1>
        <section class="card">
            <h2>{move || i18n.t().welcome_title}</h2>
            <p>{move || i18n.t().welcome_body}</p>
            <p>{move || i18n.t().welcome_privacy}</p>
        </section>
        <Show when=move || !online.get()>
            <p class="note">{move || i18n.t().offline_hint}</p>
        </Show>
    }
}
