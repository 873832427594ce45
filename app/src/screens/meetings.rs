use leptos::prelude::*;

use crate::i18n::use_i18n;

/// 協議の場: meetings and raised items.
#[component]
pub fn Meetings() -> impl IntoView {
    let i18n = use_i18n();
    view! { <h1>{move || i18n.t().meetings_title}</h1> }
}
