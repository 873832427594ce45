//! The crisis card: national lines and the group's psychiatric emergency
//! centre, shown at once (no network needed: the lines are built in and
//! the directory is on the device).

use crate::handler;
use leptos::prelude::*;
use nimo_core::base::taxonomy::WindowType;
use nimo_core::directory::national;

use crate::i18n::use_texts;
use crate::state::use_app;

/// `tel:` link for a number as written (hyphens dropped, # kept).
pub fn tel_href(number: &str) -> String {
    let dial: String = number.chars().filter(|c| c.is_ascii_digit() || *c == '#' || *c == '+').collect();
    format!("tel:{}", dial.replace('#', "%23"))
}

#[component]
pub fn CrisisCard(open: RwSignal<bool>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let lines: Vec<&national::NationalLine> = national::CRISIS.iter().filter_map(|id| national::line(id)).collect();
    let local = move || {
        app.index.windows.with(|all| all.iter().filter(|w| w.data.kind == Some(WindowType::PsychEmergency) && !w.data.retired).cloned().collect::<Vec<_>>())
    };
    view! {
        <Show when=move || open.get()>
            <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="crisis-title" data-testid="crisis-card">
                <div class="crisis">
                    <h2 id="crisis-title">{t.crisis_title}</h2>
                    <p>{t.crisis_lead}</p>
                    <ul class="lines">
                        {lines.clone().into_iter().map(|l| view! {
                            <li>
                                <a class="tel" href=tel_href(l.phone)>
                                    <span class="line-name">{l.name}</span>
                                    <span class="number">{l.phone}</span>
                                </a>
                                <p class="hint">{l.hours}" · "{t.source_date}"："{l.source_date.and_then(|d| nimo_core::base::time::Date::parse(d).ok()).map(|d| t.date(d)).unwrap_or_else(|| t.date_unknown.to_owned())}
                                    {(!l.official).then(|| view! { " · " <strong>{t.needs_check}</strong> })}
                                </p>
                            </li>
                        }).collect_view()}
                    </ul>
                    <h3>{t.crisis_local}</h3>
                    {move || {
                        let entries = local();
                        if entries.is_empty() {
                            view! { <p class="hint">{t.crisis_none_local}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="lines">
                                    {entries.into_iter().map(|w| {
                                        let name = w.data.name.to_string();
                                        let phones: Vec<String> = w.data.phones.iter().map(|p| p.number.clone()).collect();
                                        view! {
                                            <li>
                                                <span class="line-name">{name}</span>
                                                {phones.into_iter().map(|p| view! { <a class="tel" href=tel_href(&p)><span class="number">{p.clone()}</span></a> }).collect_view()}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }}
                    <button type="button" class="button wide" on:click=handler::click(move |_| open.set(false))>{t.close}</button>
                </div>
            </div>
        </Show>
    }
}
