use leptos::prelude::*;

use crate::i18n::use_i18n;

/// 窓口: the window finder.
#[component]
pub fn Windows() -> impl IntoView {
    let i18n = use_i18n();
    view! { <h1>{move || i18n.t().windows_title}</h1> }
}
