//! Editors for the structured fields. Each keeps the field's value as the
//! JSON its type reads (`Input::Json`) and edits it through the typed value
//! from `nimo_core`, so what is saved always passes the same check as on
//! the server.

use crate::handler;
use leptos::prelude::*;
use nimo_core::base::time::{Date, TimeOfDay};
use nimo_core::contacts::contact::{Referral, ReferralState, Referrals};
use nimo_core::directory::area::{self, AreaCode};
use nimo_core::directory::correction::WindowRef;
use nimo_core::directory::window::{Day, Exception, Exceptions, Hours, Phone, Phones, ServiceArea, ServiceAreas, Session};
use nimo_core::schema::field::Structured;
use nimo_core::schema::{Input, Kind, Vocab};

use super::fields::labelled;
use crate::components::{ChoiceChips, MultiChips, TextField};
use crate::i18n::{Texts, use_texts};
use crate::screens::areas::AreaPicker;
use crate::state::now_jst;

/// The editor for a structured kind.
pub fn editor(kind: Kind, input: RwSignal<Input>) -> AnyView {
    match kind {
        Kind::Referrals => view! { <ReferralsEditor input/> }.into_any(),
        Kind::Areas => view! { <AreasEditor input/> }.into_any(),
        Kind::Phones => view! { <PhonesEditor input/> }.into_any(),
        Kind::Hours => view! { <HoursEditor input/> }.into_any(),
        Kind::Exceptions => view! { <ExceptionsEditor input/> }.into_any(),
        _ => ().into_any(),
    }
}

/// The typed value in an input (empty when it does not read).
fn read<T: Structured>(input: RwSignal<Input>) -> T {
    input.with(|i| T::read(&i.json()).unwrap_or_default())
}

fn edit<T: Structured>(input: RwSignal<Input>, f: impl FnOnce(&mut T)) {
    let mut value: T = input.with_untracked(|i| T::read(&i.json()).unwrap_or_default());
    f(&mut value);
    input.set(Input::Json(value.write()));
}

fn remove_button(t: &'static Texts, on_remove: impl Fn() + 'static) -> impl IntoView {
    view! { <button type="button" class="button secondary small" on:click=handler::click(move |_| on_remove())>{t.remove}</button> }
}

#[component]
fn ReferralsEditor(input: RwSignal<Input>) -> impl IntoView {
    let t = use_texts();
    let name = RwSignal::new(String::new());
    let add = move |_| {
        let n = name.get().trim().to_owned();
        if n.is_empty() {
            return;
        }
        edit::<Referrals>(input, |r| r.0.push(Referral { window: WindowRef::None, name: n, state: ReferralState::Referred, on: Some(now_jst().date) }));
        name.set(String::new());
    };
    view! {
        <ul class="rows" data-testid="referral-list">
            {move || read::<Referrals>(input).0.into_iter().enumerate().map(|(i, r)| {
                let state = RwSignal::new(Some(r.state.id().to_owned()));
                handler::effect(move |_| {
                    let Some(s) = state.get().and_then(|s| ReferralState::from_id(&s)) else { return };
                    // Only a real change writes: a write re-renders this list.
                    if read::<Referrals>(input).0.get(i).is_some_and(|item| item.state != s) {
                        edit::<Referrals>(input, |list| {
                            if let Some(item) = list.0.get_mut(i) {
                                item.state = s;
                                item.on = Some(now_jst().date);
                            }
                        });
                    }
                });
                view! {
                    <li>
                        <div>
                            <strong>{r.name.clone()}</strong>
                            <ChoiceChips label=t.referral_state options=labelled(ReferralState::OPTIONS, t.is_ja()) selected=state can_clear=false/>
                        </div>
                        {remove_button(t, move || edit::<Referrals>(input, |l| { if i < l.0.len() { l.0.remove(i); } }))}
                    </li>
                }
            }).collect_view()}
        </ul>
        <TextField label=t.referral_name value=name autocomplete="off" testid="referral-name"/>
        <button type="button" class="button secondary" data-testid="add-referral-name" on:click=handler::click(add)>{t.referral_add}</button>
    }
}

/// A served area as a person reads it.
pub fn area_label(a: &ServiceArea, t: &'static Texts) -> String {
    match a {
        ServiceArea::Municipality { code } | ServiceArea::Prefecture { code } => area::full_name(*code),
        ServiceArea::HealthArea { name, codes } => {
            format!("{name}（{}）", codes.iter().map(|c| area::find(*c).map_or("?", |a| a.name.as_str())).collect::<Vec<_>>().join("・"))
        }
        ServiceArea::National => t.nationwide.to_owned(),
    }
}

#[component]
fn AreasEditor(input: RwSignal<Input>) -> impl IntoView {
    let t = use_texts();
    let picked = RwSignal::new(None::<String>);
    let push = move |a: ServiceArea| edit::<ServiceAreas>(input, |list| if !list.0.contains(&a) { list.0.push(a) });
    let add = move |whole_prefecture: bool| {
        let Some(code) = picked.get().and_then(|c| AreaCode::parse(&c).ok()) else { return };
        push(if whole_prefecture || code.is_prefecture() { ServiceArea::Prefecture { code: code.prefecture_code() } } else { ServiceArea::Municipality { code } });
        picked.set(None);
    };
    view! {
        <ul class="rows">
            {move || read::<ServiceAreas>(input).0.into_iter().enumerate().map(|(i, a)| view! {
                <li><span>{area_label(&a, t)}</span>
                    {remove_button(t, move || edit::<ServiceAreas>(input, |l| { if i < l.0.len() { l.0.remove(i); } }))}
                </li>
            }).collect_view()}
        </ul>
        <AreaPicker label=t.area_to_add selected=picked testid="window-area"/>
        <div class="buttons">
            <button type="button" class="button secondary" data-testid="add-area" on:click=handler::click(move |_| add(false))>{t.add_area}</button>
            <button type="button" class="button secondary" on:click=handler::click(move |_| add(true))>{t.whole_prefecture}</button>
            <button type="button" class="button secondary" on:click=handler::click(move |_| push(ServiceArea::National))>{t.nationwide}</button>
        </div>
    }
}

#[component]
fn PhonesEditor(input: RwSignal<Input>) -> impl IntoView {
    let t = use_texts();
    let number = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let add = move |_| {
        let n = number.get().trim().to_owned();
        if n.is_empty() {
            return;
        }
        if nimo_core::directory::window::check_phone_number(&n).is_err() {
            error.set(Some(t.p_bad_phone));
            return;
        }
        error.set(None);
        edit::<Phones>(input, |p| p.0.push(Phone { number: n, note: note.get().trim().to_owned() }));
        number.set(String::new());
        note.set(String::new());
    };
    view! {
        <ul class="rows">
            {move || read::<Phones>(input).0.into_iter().enumerate().map(|(i, p)| view! {
                <li><span>{p.number.clone()}" "<small>{p.note.clone()}</small></span>
                    {remove_button(t, move || edit::<Phones>(input, |l| { if i < l.0.len() { l.0.remove(i); } }))}
                </li>
            }).collect_view()}
        </ul>
        <TextField label=t.phone_number value=number kind="tel" error testid="phone-number"/>
        <TextField label=t.phone_note value=note/>
        <button type="button" class="button secondary" data-testid="add-phone" on:click=handler::click(add)>{t.add_phone}</button>
    }
}

/// Days as a person reads them: 「月火水木金・祝日」.
pub fn days_label(days: &[Day], ja: bool) -> String {
    days.iter().map(|d| d.label().get(ja)).collect::<Vec<_>>().join(if ja { "" } else { " " })
}

#[component]
fn HoursEditor(input: RwSignal<Input>) -> impl IntoView {
    let t = use_texts();
    let days = RwSignal::new(Day::WEEK[..5].iter().map(|d| d.id().to_owned()).collect::<Vec<_>>());
    let opens = RwSignal::new("09:00".to_owned());
    let closes = RwSignal::new("17:00".to_owned());
    let error = RwSignal::new(None::<&'static str>);
    let add = move |_| {
        let picked: Vec<Day> = days.get().iter().filter_map(|d| Day::from_id(d)).collect();
        let (Ok(o), Ok(c)) = (TimeOfDay::parse(&opens.get()), TimeOfDay::parse(&closes.get())) else {
            error.set(Some(t.p_bad_time));
            return;
        };
        if picked.is_empty() {
            error.set(Some(t.p_no_days));
            return;
        }
        error.set(None);
        edit::<Hours>(input, |h| h.0.push(Session { days: picked, opens: o, closes: c }));
    };
    view! {
        <ul class="rows">
            {move || read::<Hours>(input).0.into_iter().enumerate().map(|(i, s)| view! {
                <li><span>{days_label(&s.days, t.is_ja())}" "{s.opens.to_string()}"–"{s.closes.to_string()}</span>
                    {remove_button(t, move || edit::<Hours>(input, |l| { if i < l.0.len() { l.0.remove(i); } }))}
                </li>
            }).collect_view()}
        </ul>
        <MultiChips label=t.days options=labelled(Day::OPTIONS, t.is_ja()) selected=days testid="session-days"/>
        <div class="two">
            <TextField label=t.opens value=opens kind="time" error/>
            <TextField label=t.closes value=closes kind="time"/>
        </div>
        <p class="hint">{t.hours_hint}</p>
        <button type="button" class="button secondary" data-testid="add-session" on:click=handler::click(add)>{t.add_session}</button>
    }
}

#[component]
fn ExceptionsEditor(input: RwSignal<Input>) -> impl IntoView {
    let t = use_texts();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let opens = RwSignal::new(String::new());
    let closes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let add = move |_| {
        let (Ok(f), Ok(to_date)) = (Date::parse(&from.get()), Date::parse(&to.get()).or_else(|_| Date::parse(&from.get()))) else {
            error.set(Some(t.p_bad_date));
            return;
        };
        if to_date < f {
            error.set(Some(t.p_bad_date));
            return;
        }
        let hours = match (opens.get().trim().is_empty(), closes.get().trim().is_empty()) {
            (true, true) => Vec::new(),
            _ => match (TimeOfDay::parse(&opens.get()), TimeOfDay::parse(&closes.get())) {
                (Ok(o), Ok(c)) => vec![(o, c)],
                _ => {
                    error.set(Some(t.p_bad_time));
                    return;
                }
            },
        };
        error.set(None);
        edit::<Exceptions>(input, |e| e.0.push(Exception { from: f, to: to_date, note: note.get().trim().to_owned(), hours }));
        for s in [from, to, note, opens, closes] {
            s.set(String::new());
        }
    };
    view! {
        <ul class="rows">
            {move || read::<Exceptions>(input).0.into_iter().enumerate().map(|(i, e)| {
                let when = if e.from == e.to { t.date(e.from) } else { format!("{} 〜 {}", t.date(e.from), t.date(e.to)) };
                let what = match e.hours.first() {
                    None => t.closed_day.to_owned(),
                    Some((o, c)) => format!("{o}–{c}"),
                };
                view! {
                    <li><span>{when}" "{what}" "<small>{e.note.clone()}</small></span>
                        {remove_button(t, move || edit::<Exceptions>(input, |l| { if i < l.0.len() { l.0.remove(i); } }))}
                    </li>
                }
            }).collect_view()}
        </ul>
        <div class="two">
            <TextField label=t.exception_from value=from kind="date" error/>
            <TextField label=t.exception_to value=to kind="date"/>
        </div>
        <TextField label=t.exception_note value=note/>
        <div class="two">
            <TextField label=t.opens value=opens kind="time"/>
            <TextField label=t.closes value=closes kind="time"/>
        </div>
        <p class="hint">{t.exception_hint}</p>
        <button type="button" class="button secondary" data-testid="add-exception" on:click=handler::click(add)>{t.add_exception}</button>
    }
}
