use leptos::prelude::*;

use crate::i18n::use_texts;

/// 窓口: the window finder.
#[component]
pub fn Windows() -> impl IntoView {
    let t = use_texts();
    view! { <h1>{t.windows_title}</h1> }
}
