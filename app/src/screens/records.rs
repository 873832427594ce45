//! 記録: the contact list. Today's and overdue follow-ups first, then the
//! contacts, newest first (by time, then by when they were written); search
//! folds full/half width and hiragana/katakana; filters by worry, mode,
//! dates, status and referral state; exports.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::base::taxonomy::Worry;
use nimo_core::base::text;
use nimo_core::base::time::Date;
use nimo_core::contacts::contact::{Contact, Mode, ReferralState};
use nimo_core::contacts::report::monthly_counts;
use nimo_core::schema::{Doc, Typed, Vocab};
use nimo_core::sync::collection::{Collection, Visibility};

use crate::components::{ChoiceChips, TextField, download};
use crate::form::fields::labelled;
use crate::i18n::use_texts;
use crate::screens::crisis::CrisisCard;
use crate::state::index::{Indexed, items_changed};
use crate::state::{api, now_jst, use_app};

/// How many contacts the list shows before 「もっと見る」.
const PAGE: usize = 50;
/// How many of them the screen's first frame draws: more than a phone's
/// screen holds. The rest follow in the next frame, so that opening the
/// app or the tab does not wait for rows below the screen to be built.
const FIRST_FRAME: usize = 12;

#[derive(Clone, Default, PartialEq)]
struct Filter {
    words: Vec<String>,
    worry: Option<Worry>,
    mode: Option<Mode>,
    from: Option<Date>,
    to: Option<Date>,
    open: Option<bool>,
    referral: Option<ReferralState>,
}

impl Filter {
    fn accepts(&self, c: &Contact, folded: &str) -> bool {
        text::matches(folded, &self.words)
            && self.worry.is_none_or(|w| c.worries.contains(&w))
            && self.mode.is_none_or(|m| c.mode == Some(m))
            && self.from.is_none_or(|f| c.date().is_some_and(|d| d >= f))
            && self.to.is_none_or(|t| c.date().is_some_and(|d| d <= t))
            && self.open.is_none_or(|o| c.is_open() == o)
            && self.referral.is_none_or(|s| c.referrals.iter().any(|r| r.state == s))
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[component]
pub fn Records() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let contacts = app.index.contacts;
    let query = RwSignal::new(String::new());
    let worry = RwSignal::new(None::<String>);
    let mode = RwSignal::new(None::<String>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let referral = RwSignal::new(None::<String>);
    let shown = RwSignal::new(PAGE);
    let first_frame = RwSignal::new(true);
    spawn_local(async move {
        crate::platform::js::after_paint().await;
        // The screen may be gone by then (a quick tap on another tab).
        let _ = first_frame.try_set(false);
    });
    // Rows drawn now; 「もっと見る」 waits for the full page.
    let limit = move || if first_frame.get() { FIRST_FRAME.min(shown.get()) } else { shown.get() };
    let crisis = RwSignal::new(false);
    let filters_opened = RwSignal::new(false);
    let ja = t.is_ja();

    let filter = Memo::new(move |_| Filter {
        words: text::query_words(&query.get()),
        worry: worry.get().and_then(|w| Worry::from_id(&w)),
        mode: mode.get().and_then(|m| Mode::from_id(&m)),
        from: Date::parse(&from.get()).ok(),
        to: Date::parse(&to.get()).ok(),
        open: status.get().map(|s| s == "open"),
        referral: referral.get().and_then(|s| ReferralState::from_id(&s)),
    });
    let today = now_jst().date;
    let due = Memo::new(move |_| {
        contacts.with(|all| {
            let mut overdue: Vec<Indexed> = all.iter().filter(|i| i.0.data.overdue(today)).cloned().collect();
            nimo_core::base::order::sort_by_key(&mut overdue, |i| i.0.data.follow_up);
            let today: Vec<Indexed> = all.iter().filter(|i| i.0.data.due_today(today)).cloned().collect();
            (overdue, today)
        })
    });
    let results = Memo::new_with_compare(
        move |_| {
            let f = filter.get();
            // The rows shown and one more, which says whether there are
            // more: a broad query stops early instead of testing all.
            let wanted = limit() + 1;
            contacts.with(|all| all.iter().filter(|i| f.accepts(&i.0.data, &i.1)).take(wanted).cloned().collect::<Vec<Indexed>>())
        },
        items_changed,
    );

    view! {
        <div class="screen-head">
            <h1>{t.records_title}</h1>
            <button type="button" class="button danger small" data-testid="crisis-button" on:click=handler::click(move |_| crisis.set(true))>{t.crisis_button}</button>
        </div>
        <CrisisCard open=crisis/>
        <HomeScreenHint has_records=Signal::derive(move || contacts.with(|c| !c.is_empty()))/>
        <Show when=move || filter.with(Filter::is_empty)>
            <FollowUps due/>
        </Show>
        <div class="search">
            <TextField label=t.search value=query hint=t.search_hint kind="search" testid="search"/>
        </div>
        // The filters' fields are built when the section is first opened,
        // as the exports' are: closed, they were 69 of the 237 elements of
        // the app's first frame on a member's reload. Kept once built, so
        // that they hold what was picked.
        <details class="card filters" data-testid="filters" on:toggle=handler::toggle(move |_| if !filters_opened.get_untracked() { filters_opened.set(true) })>
            <summary>{t.filters}</summary>
            {move || filters_opened.get().then(|| view! {
                <label class="field">
                    <span class="label">{t.filter_worry}</span>
                    <select data-testid="filter-worry" on:change=handler::change(move |ev| { let v = event_target_value(&ev); worry.set((!v.is_empty()).then_some(v)); })>
                        <option value="">{t.any}</option>
                        {Worry::ALL.iter().map(|w| view! { <option value=w.id()>{w.label().get(ja)}</option> }).collect_view()}
                    </select>
                </label>
                <ChoiceChips label=t.filter_mode options=labelled(Mode::OPTIONS, ja) selected=mode/>
                <TextField label=t.filter_from value=from kind="date"/>
                <TextField label=t.filter_to value=to kind="date"/>
                <ChoiceChips label=t.filter_status options=vec![("open", t.badge_open), ("closed", t.badge_closed)] selected=status/>
                <ChoiceChips label=t.filter_referral options=labelled(ReferralState::OPTIONS, ja) selected=referral/>
            })}
        </details>
        <section>
            <h2>{t.recent_title}</h2>
            <p class="hint" data-testid="record-count">{move || t.records_total(contacts.with(Vec::len))}</p>
            {move || {
                let list = results.get();
                if list.is_empty() {
                    let empty = contacts.with(Vec::is_empty);
                    return view! { <p class="empty" data-testid="empty">{if empty { t.no_contacts } else { t.no_results }}</p> }.into_any();
                }
                let shown_now = limit();
                let more = !first_frame.get() && list.len() > shown_now;
                view! {
                    <ul class="contact-list" data-testid="contact-list">
                        {list.into_iter().take(shown_now).map(|i| view! { <ContactRow item=i today/> }).collect_view()}
                    </ul>
                    {more.then(|| view! { <button type="button" class="button secondary wide" on:click=handler::click(move |_| shown.update(|n| *n += PAGE))>{t.show_more}</button> })}
                }.into_any()
            }}
        </section>
        <Exports/>
        // Room below the list, so that the floating button never covers a row.
        <div class="fab-space" aria-hidden="true"></div>
        <a class="button fab" href="#/contact/new" data-testid="new-contact">{t.new_contact}</a>
    }
}

/// On an iPhone, once there is something to lose: Safari may erase a
/// site's data after seven days without a visit, unless nimo is on the
/// home screen. Said once, until dismissed.
#[component]
fn HomeScreenHint(has_records: Signal<bool>) -> impl IntoView {
    use crate::platform::prefs;
    const KEY: &str = "nimo.homeScreenHint";
    let t = use_texts();
    let dismissed = RwSignal::new(prefs::get(KEY).is_some());
    let wanted = crate::state::device::is_ios() && !crate::state::device::is_standalone();
    move || {
        (wanted && has_records.get() && !dismissed.get()).then(|| view! {
            <div class="notice warning" role="status" data-testid="ios-home-hint">
                <p>{t.ios_hint}</p>
                <button type="button" class="button secondary small" on:click=handler::click(move |_| {
                    prefs::set(KEY, "1");
                    dismissed.set(true);
                })>{t.close}</button>
            </div>
        })
    }
}

#[component]
fn FollowUps(due: Memo<(Vec<Indexed>, Vec<Indexed>)>) -> impl IntoView {
    let t = use_texts();
    let today = now_jst().date;
    move || {
        let (overdue, today_list) = due.get();
        (!overdue.is_empty() || !today_list.is_empty()).then(|| view! {
            <section class="followups" data-testid="followups">
                {(!overdue.is_empty()).then(|| view! {
                    <h2 class="overdue">{t.overdue_title}</h2>
                    <ul class="contact-list">{overdue.into_iter().map(|i| view! { <ContactRow item=i today/> }).collect_view()}</ul>
                })}
                {(!today_list.is_empty()).then(|| view! {
                    <h2>{t.today_title}</h2>
                    <ul class="contact-list">{today_list.into_iter().map(|i| view! { <ContactRow item=i today/> }).collect_view()}</ul>
                })}
            </section>
        })
    }
}

#[component]
fn ContactRow(item: Indexed, today: Date) -> impl IntoView {
    let t = use_texts();
    let ja = t.is_ja();
    let (doc, _) = &*item;
    let c = &doc.data;
    let href = format!("#/contact/{}", doc.id);
    let when = c.at.map(|at| t.datetime(at)).unwrap_or_default();
    let mode = c.mode.map(|m| m.label().get(ja)).unwrap_or("");
    let overdue = c.overdue(today);
    let excerpt: String = c.note.chars().take(60).collect();
    // One list of tags rather than an optional element per kind: a search
    // rebuilds up to 50 rows, and every absent optional still costs a
    // placeholder node and its own view code.
    let mut tags: Vec<(&str, &str)> = c.worries.iter().map(|w| ("tag", w.label().get(ja))).collect();
    for (shown, class, text) in [
        (c.risk, "tag risk", t.badge_risk),
        (doc.visibility == Visibility::Group, "tag", t.badge_shared),
        (overdue, "tag risk", t.badge_overdue),
        (!c.is_open(), "tag muted", t.badge_closed),
    ] {
        if shown {
            tags.push((class, text));
        }
    }
    let person = if c.person.is_empty() { t.no_person.to_owned() } else { c.person.to_string() };
    view! {
        <li class="contact" class:overdue=overdue>
            <a href=href>
                <span class="when">{format!("{when} · {mode}")}</span>
                <span class="who">{person}</span>
                <span class="tags">{tags.into_iter().map(|(class, text)| view! { <span class=class>{text}</span> }).collect_view()}</span>
                <span class="excerpt">{excerpt}</span>
            </a>
        </li>
    }
}

/// The contacts as CSV for Excel: one column per field, headed by its
/// Japanese label, then whether it is shared.
fn contacts_csv(contacts: &[Doc<Contact>]) -> String {
    let fields = Contact::SCHEMA.fields;
    let mut header: Vec<&str> = fields.iter().map(|f| f.label.ja).collect();
    header.push("共有");
    let rows: Vec<Vec<String>> = contacts
        .iter()
        .map(|doc| {
            let values = doc.data.to_fields();
            let mut row: Vec<String> = fields.iter().zip(&values).map(|(f, (_, v))| nimo_core::collections::show(f, v, true)).collect();
            row.push(if doc.visibility == Visibility::Group { "共有".into() } else { "自分だけ".into() });
            row
        })
        .collect();
    nimo_core::base::csv::document(&header, &rows)
}

#[component]
fn Exports() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    // Exports read what is stored on the device, not what the screen holds.
    let mine = move || async move {
        let me = app.user();
        let group = app.group.get_untracked();
        api::stored(app, Collection::Contact)
            .await
            .into_iter()
            .filter(|r| Some(&r.owner) == me.as_ref() && Some(&r.group) == group.as_ref())
            .collect::<Vec<_>>()
    };
    let stamp = move || now_jst().date.to_string();
    let export_csv = move |_| {
        spawn_local(async move {
            let docs: Vec<Doc<Contact>> = mine().await.iter().filter_map(Doc::from_record).collect();
            download(&format!("nimo-contacts-{}.csv", stamp()), "text/csv;charset=utf-8", contacts_csv(&docs).as_bytes());
        })
    };
    let export_json = move |_| {
        spawn_local(async move {
            let records = mine().await;
            let json = crate::platform::json::to_string(&serde_json::Value::Array(records.iter().map(nimo_core::sync::wire::Wire::to_wire).collect()));
            download(&format!("nimo-contacts-{}.json", stamp()), "application/json", json.as_bytes());
        })
    };
    let monthly = app.index.monthly;
    let export_monthly = move |_| {
        spawn_local(async move {
            let docs: Vec<Contact> = mine().await.iter().filter_map(Doc::<Contact>::from_record).map(|d| d.data).collect();
            let m = monthly_counts(&docs);
            let mut rows = Vec::new();
            for ((month, mode), n) in &m.by_mode {
                rows.push(vec![month.clone(), "相談の形".into(), mode.ja().to_owned(), n.to_string()]);
            }
            for ((month, worry), n) in &m.by_worry {
                rows.push(vec![month.clone(), "悩み".into(), worry.ja().to_owned(), n.to_string()]);
            }
            let doc = nimo_core::base::csv::document(&["月", "区分", "項目", "件数"], &rows);
            download(&format!("nimo-monthly-{}.csv", stamp()), "text/csv;charset=utf-8", doc.as_bytes());
        })
    };
    // The month cards are built once the section is first opened: with a
    // thousand contacts, counting and drawing them took ~45 ms of each
    // visit to 記録 (at 4× CPU) for a section that is closed.
    let opened = RwSignal::new(false);
    view! {
        <details class="card" data-testid="exports" on:toggle=handler::toggle(move |_| if !opened.get_untracked() { opened.set(true) })>
            <summary>{t.export_title}</summary>
            <p class="hint">{t.mine_only}</p>
            <div class="buttons">
                <button type="button" class="button secondary" data-testid="export-csv" on:click=handler::click(export_csv)>{t.export_csv}</button>
                <button type="button" class="button secondary" data-testid="export-json" on:click=handler::click(export_json)>{t.export_json}</button>
            </div>
            <h3>{t.monthly_title}</h3>
            // One card per month: a table would squeeze the month to one
            // character per line at 200 % text.
            <div class="month-cards" data-testid="monthly">
                {move || {
                    if !opened.get() {
                        return Vec::new();
                    }
                    let m = monthly.get();
                    m.months.iter().map(|month| {
                        let counts: Vec<(Mode, u32)> = Mode::ALL.iter().filter_map(|mode| m.by_mode.get(&(month.clone(), *mode)).map(|n| (*mode, *n))).collect();
                        view! {
                            <section class="month-card">
                                <h4>{t.month_label(month)}</h4>
                                <dl>{counts.into_iter().map(|(mode, n)| view! { <dt>{mode.label().get(ja)}</dt><dd>{t.count(n as usize)}</dd> }).collect_view()}</dl>
                            </section>
                        }
                    }).collect::<Vec<_>>()
                }}
            </div>
            <button type="button" class="button secondary" data-testid="export-monthly" on:click=handler::click(export_monthly)>{t.monthly_csv}</button>
        </details>
    }
}
