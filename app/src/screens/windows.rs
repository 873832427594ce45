//! 窓口: the finder. Worries and an area in, the windows that fit out,
//! grouped nearest first (身近な窓口 / 圏域 / 都道府県 / 全国) — or, in a
//! crisis, what can be reached now first — each with why, how to reach it,
//! and whether it is open now. Kinds of window the area should have but the
//! directory lacks are listed with what to search for. Works offline: the
//! directory is on the device and the national lines are built in.

use crate::handler;
use std::time::Duration;

use crate::platform::prefs;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::base::taxonomy::{Level, WindowType, Worry};
use nimo_core::base::time::JstDateTime;
use nimo_core::contacts::contact::{Contact, Referral, ReferralState, Referrals};
use nimo_core::directory::area::{self, AreaCode};
use nimo_core::directory::correction::WindowRef;
use nimo_core::directory::finder::{self, Found, Hit, Missing, Query};
use nimo_core::directory::hours::{self, OpenNow, Schedule};
use nimo_core::schema::Vocab;
use nimo_core::sync::collection::Collection;

use crate::components::MultiChips;
use crate::form::fields::labelled;
use crate::i18n::{Texts, use_texts};
use crate::screens::areas::AreaPicker;
use crate::screens::crisis::tel_href;
use crate::state::{AppState, now_jst, use_app};

const AREA_KEY: &str = "nimo.finder.area";

/// The time, refreshed every minute, for open-now badges.
pub fn ticking_now() -> ReadSignal<JstDateTime> {
    let (now, set_now) = signal(now_jst());
    let handle = set_interval_with_handle(move || set_now.set(now_jst()), Duration::from_secs(60)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    now
}

#[component]
pub fn Windows() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let worries = RwSignal::new(Vec::<String>::new());
    let area = RwSignal::new(prefs::get(AREA_KEY));
    let without_voice = RwSignal::new(false);
    handler::effect(move |_| match area.get() {
        Some(a) => prefs::set(AREA_KEY, &a),
        None => prefs::delete(AREA_KEY),
    });
    let entries = app.index.windows;
    let now = ticking_now();
    let query = Memo::new(move |_| Query {
        worries: worries.with(|w| w.iter().filter_map(|id| Worry::from_id(id)).collect()),
        area: area.get().and_then(|a| AreaCode::parse(&a).ok()),
        without_voice: without_voice.get(),
    });
    view! {
        <div class="screen-head">
            <h1>{t.windows_title}</h1>
            <a class="button secondary small" href="#/directory">{t.directory_link}</a>
        </div>
        <p>{t.finder_lead}</p>
        <MultiChips label=t.finder_worries options=labelled(Worry::OPTIONS, ja) selected=worries testid="finder-worries"/>
        <AreaPicker label=t.finder_area selected=area testid="finder-area"/>
        <label class="choice"><input type="checkbox" data-testid="without-voice" prop:checked=move || without_voice.get() on:change=handler::change(move |ev| without_voice.set(event_target_checked(&ev)))/><span>{t.without_voice}</span></label>
        <Show when=move || worries.with(Vec::is_empty)>
            <p class="hint">{t.finder_pick_worry}</p>
        </Show>
        <div data-testid="finder-results">
            {move || {
                let q = query.get();
                let at = now.get();
                entries.with(|all| {
                    let results = finder::find(&q, all, at);
                    let groups: Vec<(&str, &str, Vec<&Found>)> = if results.crisis {
                        vec![("now", t.reach_now, results.found.iter().collect())]
                    } else {
                        Level::ALL.into_iter().map(|level| (level.id(), level.heading().get(ja), results.found.iter().filter(|f| f.level == level).collect())).collect()
                    };
                    view! {
                        {results.crisis.then(|| view! { <p class="notice warning" role="status" data-testid="crisis-order">{t.crisis_order}</p> })}
                        {groups.into_iter().filter(|(_, _, g)| !g.is_empty()).map(|(id, heading, group)| view! {
                            <section class="level" data-level=id>
                                <h2>{heading}</h2>
                                <ul class="windows">
                                    {group.into_iter().map(|f| window_card(app, t, f, at, &q)).collect_view()}
                                </ul>
                            </section>
                        }).collect_view()}
                        <MissingKinds missing=results.missing area=q.area/>
                    }
                })
            }}
        </div>
    }
}

/// Kinds of window the worries need near the area that the directory does
/// not have yet, with what to search for.
#[component]
fn MissingKinds(missing: Vec<Missing>, area: Option<AreaCode>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let Some(area) = area else { return ().into_any() };
    if missing.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card missing" data-testid="missing-kinds">
            <h2>{t.missing_title}</h2>
            <p class="hint">{t.missing_lead}</p>
            <ul class="rows">
                {missing.into_iter().map(|m| {
                    let place = if m.kind.level() == Level::Municipal || m.kind.level() == Level::Area { area::short_name(area) } else { area::short_name(area.prefecture_code()) };
                    view! {
                        <li>
                            <span>
                                <strong>{t.not_registered(&place, m.kind.label().get(ja))}</strong><br/>
                                <small>{t.search_for}" "{m.kind.search_hint().get(ja)}</small>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || app.may_create(Collection::Window)>
                <div class="buttons">
                    <a class="button secondary" href="#/window/new" data-testid="missing-add">{t.missing_add}</a>
                    <a class="button secondary" href="#/directory/import" data-testid="missing-import">{t.import_open_data}</a>
                </div>
            </Show>
        </section>
    }
    .into_any()
}

/// 受付中 (24:00 まで) / 本日は終了・次は 月曜 8:30 / 受付時間不明.
pub fn open_label(t: &'static Texts, status: OpenNow, now: JstDateTime) -> (&'static str, String) {
    let ja = t.is_ja();
    match status {
        OpenNow::Open { soon: true, closes } => ("soon", format!("{} {}", t.closing_soon, closes.map(|c| hours::until(now, c).get(ja).to_owned()).unwrap_or_default())),
        OpenNow::Open { closes: Some(c), .. } => ("open", format!("{}（{}）", t.open_now, hours::until(now, c).get(ja))),
        OpenNow::Open { closes: None, .. } => ("open", t.open_now.to_owned()),
        OpenNow::Closed { next, today_done } => {
            let head = if today_done { t.closed_today } else { t.closed_now };
            ("closed", match next {
                Some(n) => format!("{head}・{}", hours::next(now, n).get(ja)),
                None => head.to_owned(),
            })
        }
        OpenNow::Unknown => ("unknown", t.hours_unknown.to_owned()),
    }
}

#[component]
pub fn OpenBadge(schedule: Schedule, now: ReadSignal<JstDateTime>) -> impl IntoView {
    let t = use_texts();
    move || {
        let at = now.get();
        let (class, text) = open_label(t, schedule.open_now(at), at);
        view! { <span class=format!("badge {class}") data-testid="open-badge">{text}</span> }
    }
}

/// A result: name, kind, why, open now, how to reach.
fn window_card(app: AppState, t: &'static Texts, found: &Found, now: JstDateTime, query: &Query) -> impl IntoView + use<> {
    let ja = t.is_ja();
    let today = now.date;
    struct Card {
        name: String,
        phones: Vec<(String, String)>,
        fax: String,
        email: String,
        url: String,
        address: String,
        href: Option<String>,
        needs_check: bool,
        source: String,
        window: WindowRef,
        without_voice: bool,
    }
    let card = match found.hit {
        Hit::Entry(e) => Card {
            name: e.data.name.to_string(),
            phones: e.data.phones.iter().map(|p| (p.number.clone(), p.note.clone())).collect(),
            fax: e.data.fax.to_string(),
            email: e.data.email.to_string(),
            url: e.data.url.to_string(),
            address: e.data.address.to_string(),
            href: Some(format!("#/window/{}", e.id)),
            needs_check: e.data.needs_check(today),
            source: format!("{}：{}", t.verified_on, e.data.verified_on.map(|d| t.date(d)).unwrap_or_else(|| t.date_unknown.to_owned())),
            window: if e.data.overrides.is_empty() { WindowRef::Entry(e.id.clone()) } else { WindowRef::National(e.data.overrides.to_string()) },
            without_voice: e.data.without_voice(),
        },
        Hit::National(l) => Card {
            name: l.name.to_owned(),
            phones: std::iter::once((l.phone.to_owned(), l.hours.to_owned())).chain(l.alt_phones.iter().map(|a| (a.phone.to_owned(), a.note.to_owned()))).collect(),
            fax: String::new(),
            email: String::new(),
            url: l.source_url.to_owned(),
            address: String::new(),
            href: None,
            needs_check: !l.official,
            source: format!("{}：{}", t.source_date, l.source_date.and_then(|d| nimo_core::base::time::Date::parse(d).ok()).map(|d| t.date(d)).unwrap_or_else(|| t.date_unknown.to_owned())),
            window: WindowRef::National(l.id.to_owned()),
            without_voice: l.without_voice(),
        },
    };
    let kind = found.kind().label().get(ja);
    let (badge_class, badge) = open_label(t, found.open, now);
    let why = found.why.clone();
    let start = Contact {
        worries: nimo_core::schema::field::Set(query.worries.clone()),
        area: query.area,
        referrals: Referrals(vec![Referral { window: card.window.clone(), name: card.name.clone(), state: ReferralState::Referred, on: Some(today) }]),
        ..Contact::new(now)
    };
    let add = move |_| {
        let start = start.clone();
        spawn_local(async move { crate::screens::contact::start_from_finder(app, start).await });
    };
    let is_national = matches!(found.hit, Hit::National(_));
    let Card { name, phones, fax, email, url, address, href, needs_check, source, without_voice, .. } = card;
    view! {
        <li class="window-card" data-testid="window-card">
            <div class="card-head">
                <h3>{match href { Some(h) => view! { <a href=h>{name.clone()}</a> }.into_any(), None => view! { <span>{name.clone()}</span> }.into_any() }}</h3>
                <span class=format!("badge {badge_class}") data-testid="open-badge">{badge}</span>
            </div>
            <p class="kind">{kind}
                {needs_check.then(|| view! { " " <span class="tag warn">{t.needs_verify}</span> })}
                {without_voice.then(|| view! { " " <span class="tag">{t.no_voice_tag}</span> })}
            </p>
            <div class="why">
                <p class="why-label">{t.why}</p>
                <ul>{why.into_iter().map(|w| view! { <li>{w.worry.map(|x| view! { <strong>{x.label().get(ja)}</strong>"：" })}{w.text.get(ja)}</li> }).collect_view()}</ul>
            </div>
            <ul class="contacts">
                {phones.into_iter().map(|(number, note)| view! {
                    <li><a class="tel" href=tel_href(&number) data-testid="tel"><span class="number">{number.clone()}</span><small>{note}</small></a></li>
                }).collect_view()}
                {(!fax.is_empty()).then(|| view! { <li>{t.fax}"："{fax}</li> })}
                {(!email.is_empty()).then(|| view! { <li><a href=format!("mailto:{email}")>{t.email}"："{email.clone()}</a></li> })}
                {(!url.is_empty() && !is_national).then(|| view! { <li><a href=url.clone() rel="noopener noreferrer" target="_blank">{t.website}</a></li> })}
                {(!address.is_empty()).then(|| view! {
                    <li>{address.clone()}" "<a href=format!("https://www.google.com/maps/search/?api=1&query={}", String::from(js_sys::encode_uri_component(&address))) rel="noopener noreferrer" target="_blank">{t.map}</a></li>
                })}
            </ul>
            <p class="hint">
                {is_national.then(|| view! { <a href=url.clone() rel="noopener noreferrer" target="_blank">{t.source_label}</a>" · " })}
                {source}
            </p>
            <button type="button" class="button secondary" data-testid="add-referral" on:click=handler::click(add)>{t.add_referral}</button>
        </li>
    }
}

/// A kind of window's name (for lists elsewhere).
pub fn kind_label(t: &'static Texts, kind: Option<WindowType>) -> &'static str {
    kind.map(|k| k.label().get(t.is_ja())).unwrap_or("")
}
