//! The control for one field, chosen by its kind. Every control is labelled
//! from the schema, at least 48 px tall, and shows its problem below it.

use crate::handler;
use leptos::prelude::*;
use nimo_core::schema::{FieldSpec, Input, Kind, Opt, Section};

use super::{FormState, editors};
use crate::components::{ChoiceChips, MultiChips};
use crate::i18n::use_texts;
use crate::screens::areas::AreaPicker;

/// Every field of a section, in form order (`except` left to the screen).
#[component]
pub fn Fields(form: FormState, section: Section, #[prop(optional)] except: &'static [&'static str]) -> impl IntoView {
    form.schema
        .fields
        .iter()
        .filter(|f| f.section == section && !except.contains(&f.name))
        .map(|f| view! { <Field form name=f.name/> })
        .collect_view()
}

/// One field's control, label, hint and problem. `only` narrows a
/// vocabulary's options (a hospital visit offers only a visitor's actions).
#[component]
pub fn Field(form: FormState, name: &'static str, #[prop(optional, into)] only: Option<Signal<Option<&'static [&'static str]>>>) -> impl IntoView {
    let Some(spec) = form.spec(name) else { return ().into_any() };
    let t = use_texts();
    let ja = t.is_ja();
    let input = form.input(name);
    let id = form.dom_id(name);
    let error_id = format!("{id}-e");
    let problem = move || form.problems.with(|p| p.get(name).copied()).map(|p| t.problem(p));
    let warning = move || form.warnings.with(|p| p.get(name).copied()).map(|p| t.problem(p));
    let label = spec.label.get(ja);
    let hint = spec.hint.map(|h| h.get(ja));
    let text = move || input.with(|i| i.text().to_owned());
    let set_text = move |ev: leptos::ev::Event| input.set(Input::Text(event_target_value(&ev)));
    let described = error_id.clone();
    let invalid = move || problem().map(|_| "true");
    let control = match spec.kind {
        Kind::Text { .. } | Kind::Url { .. } | Kind::Email { .. } | Kind::Phone | Kind::Int { .. } | Kind::Date | Kind::Time | Kind::Coordinate => {
            let (kind, mode) = match spec.kind {
                Kind::Url { .. } => ("url", None),
                Kind::Email { .. } => ("email", None),
                Kind::Phone => ("tel", None),
                Kind::Int { .. } => ("text", Some("numeric")),
                Kind::Coordinate => ("text", Some("decimal")),
                Kind::Date => ("date", None),
                Kind::Time => ("time", None),
                _ => ("text", None),
            };
            view! {
                <input id=id.clone() type=kind inputmode=mode autocomplete="off" data-testid=name aria-describedby=described
                    aria-invalid=invalid prop:value=text on:input=handler::input(set_text)/>
            }
            .into_any()
        }
        Kind::Note { max } => {
            let count = move || input.with(|i| i.text().chars().count());
            view! {
                <textarea id=id.clone() rows="5" data-testid=name aria-describedby=described aria-invalid=invalid prop:value=text on:input=handler::input(set_text)></textarea>
                {move || (count() * 5 >= max * 4).then(|| { let n = count(); view! { <p class="counter" class:over={n > max} aria-live="polite">{t.chars_left(n, max)}</p> } })}
            }
            .into_any()
        }
        Kind::DateTime => {
            let parts = move || input.with(|i| i.text().split_once('T').map(|(d, t)| (d.to_owned(), t.to_owned())).unwrap_or_else(|| (i.text().to_owned(), String::new())));
            let set = move |date: Option<String>, time: Option<String>| {
                let (d, tm) = parts();
                input.set(Input::Text(format!("{}T{}", date.unwrap_or(d), time.unwrap_or(tm))));
            };
            let time_id = format!("{id}-time");
            view! {
                <div class="two">
                    <input id=id.clone() type="date" aria-label=t.date data-testid="date" aria-invalid=invalid prop:value=move || parts().0
                        on:input=handler::input(move |ev| set(Some(event_target_value(&ev)), None))/>
                    <input id=time_id type="time" aria-label=t.time data-testid="time" aria-invalid=invalid prop:value=move || parts().1
                        on:input=handler::input(move |ev| set(None, Some(event_target_value(&ev))))/>
                </div>
            }
            .into_any()
        }
        Kind::Flag => {
            let wrap = format!("{id}-wrap");
            return view! {
                <div class="field" id=wrap>
                    <label class="choice">
                        <input id=id type="checkbox" data-testid=name prop:checked=move || input.with(Input::flag)
                            on:change=handler::change(move |ev| input.set(Input::Flag(event_target_checked(&ev))))/>
                        <span>{label}</span>
                    </label>
                    {hint.map(|h| view! { <p class="hint">{h}</p> })}
                </div>
            }
            .into_any();
        }
        Kind::Choice { options } => {
            let selected = RwSignal::new(input.with_untracked(|i| i.one().map(str::to_owned)));
            handler::effect(move |_| {
                let v = selected.get();
                if input.with_untracked(|i| i.one().map(str::to_owned)) != v {
                    input.set(Input::One(v));
                }
            });
            handler::effect(move |_| {
                let v = input.with(|i| i.one().map(str::to_owned));
                if selected.get_untracked() != v {
                    selected.set(v);
                }
            });
            return view! {
                <div class="field" id=id>
                    <ChoiceChips label options=labelled(options, ja) selected testid=name can_clear=!spec.required/>
                    {hint.map(|h| view! { <p class="hint">{h}</p> })}
                    <p class="error" id=error_id role="alert">{problem}</p>
                </div>
            }
            .into_any();
        }
        Kind::Choices { options, featured } => return choices(form, spec, options, featured, only, id, error_id).into_any(),
        Kind::Area => {
            let selected = RwSignal::new(input.with_untracked(|i| i.one().map(str::to_owned)));
            handler::effect(move |_| {
                let v = selected.get();
                if input.with_untracked(|i| i.one().map(str::to_owned)) != v {
                    input.set(Input::One(v));
                }
            });
            handler::effect(move |_| {
                let v = input.with(|i| i.one().map(str::to_owned));
                if selected.get_untracked() != v {
                    selected.set(v);
                }
            });
            return view! {
                <div class="field" id=id>
                    <AreaPicker label selected testid=name/>
                    <p class="error" id=error_id role="alert">{problem}</p>
                </div>
            }
            .into_any();
        }
        Kind::Referrals | Kind::Areas | Kind::Phones | Kind::Hours | Kind::Exceptions => {
            return view! {
                <fieldset class="plain field" id=id data-testid=name>
                    <legend>{label}</legend>
                    {hint.map(|h| view! { <p class="hint">{h}</p> })}
                    {editors::editor(spec.kind, input)}
                    <p class="error" id=error_id role="alert">{problem}</p>
                </fieldset>
            }
            .into_any();
        }
        // Set by the app, never typed.
        Kind::Ref | Kind::Refs | Kind::User | Kind::Snapshot => return ().into_any(),
    };
    view! {
        <div class="field" class:invalid=move || problem().is_some()>
            <label for=form.dom_id(name)>{label}{spec.required.then(|| view! { <span class="required">{t.required_mark}</span> })}</label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {control}
            <p class="error" id=error_id role="alert">{problem}</p>
            {move || warning().map(|w| view! { <p class="warning" role="status">{w}</p> })}
        </div>
    }
    .into_any()
}

/// A vocabulary as chip values and labels.
pub fn labelled(options: &'static [Opt], ja: bool) -> Vec<(&'static str, &'static str)> {
    options.iter().map(|o| (o.id, o.label.get(ja))).collect()
}

/// Several of a vocabulary: the first `featured` at once, the rest behind
/// 「ほかに」 (open when one of them is chosen).
fn choices(form: FormState, spec: &'static FieldSpec, options: &'static [Opt], featured: usize, only: Option<Signal<Option<&'static [&'static str]>>>, id: String, error_id: String) -> impl IntoView {
    let t = use_texts();
    let ja = t.is_ja();
    let name = spec.name;
    let input = form.input(name);
    let selected = RwSignal::new(input.with_untracked(|i| i.many().to_vec()));
    handler::effect(move |_| {
        let v = selected.get();
        if input.with_untracked(|i| i.many() != v.as_slice()) {
            input.set(Input::Many(v));
        }
    });
    handler::effect(move |_| {
        let v = input.with(|i| i.many().to_vec());
        if selected.with_untracked(|s| *s != v) {
            selected.set(v);
        }
    });
    let problem = move || form.problems.with(|p| p.get(name).copied()).map(|p| t.problem(p));
    let warning = move || form.warnings.with(|p| p.get(name).copied()).map(|p| t.problem(p));
    let n = featured.min(options.len());
    let (first, rest) = options.split_at(n);
    let rest_open = move || selected.with(|s| s.iter().any(|id| rest.iter().any(|o| o.id == id)));
    let more_testid = if name == "worries" { "more-worries" } else { "more" };
    // The options offered now (all of them, or those `only` allows).
    let offered = move || {
        let allowed = only.and_then(|o| o.get());
        first.iter().filter(|o| allowed.is_none_or(|a| a.contains(&o.id))).map(|o| (o.id, o.label.get(ja))).collect::<Vec<_>>()
    };
    view! {
        <div class="field" id=id>
            {move || view! { <MultiChips label=spec.label.get(ja) options=offered() selected testid=name/> }}
            {(!rest.is_empty()).then(|| view! {
                <details class="more" prop:open=rest_open>
                    <summary>{t.more_options}</summary>
                    <MultiChips label=spec.label.get(ja) options=labelled(rest, ja) selected testid=more_testid/>
                </details>
            })}
            <p class="error" id=error_id role="alert">{problem}</p>
            {move || warning().map(|w| view! { <p class="warning" role="status">{w}</p> })}
        </div>
    }
}
