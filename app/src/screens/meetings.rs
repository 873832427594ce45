use leptos::prelude::*;

use crate::i18n::use_texts;

/// 協議の場: meetings and raised items.
#[component]
pub fn Meetings() -> impl IntoView {
    let t = use_texts();
    view! { <h1>{t.meetings_title}</h1> }
}
