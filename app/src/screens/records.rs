//! 記録: the contact list. Today's and overdue follow-ups first, then the
//! most recent contacts; search folds full/half width and hiragana/katakana;
//! filters by worry, mode, dates, status and referral state; exports.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use nimo_core::collection::Collection;
use nimo_core::hlc::Hlc;
use nimo_core::ids::RecordId;
use nimo_core::contact::{Contact, monthly_counts};
use nimo_core::taxonomy::Worry;
use nimo_core::text;
use nimo_core::time::Date;

use crate::components::{ChoiceChips, TextField, download};
use crate::i18n::{Texts, use_texts};
use crate::screens::crisis::CrisisCard;
use crate::state::{self, AppState, now_jst, use_app};
use leptos::task::spawn_local;

/// How many contacts the list shows before 「もっと見る」.
const PAGE: usize = 50;

/// A contact read from its record, with its folded search text.
pub type Indexed = Arc<(Contact, String)>;

/// The current group's contacts with their folded search text, newest
/// first. Records are parsed and folded once and kept until they change
/// (their greatest stamp moves), so that saving one record does not
/// re-read ten thousand.
pub fn indexed_contacts(app: AppState) -> Memo<Vec<Indexed>> {
    let parsed: StoredValue<HashMap<RecordId, (Hlc, Indexed)>> = StoredValue::new(HashMap::new());
    Memo::new(move |_| {
        let group = app.group.get();
        let mut out: Vec<Indexed> = app.cache.with(Collection::Contact, |m| {
            parsed
                .try_update_value(|known| {
                    known.retain(|id, _| m.contains_key(id));
                    m.values()
                        .filter(|r| Some(&r.group) == group.as_ref())
                        .filter_map(|r| {
                            let stamp = r.max_stamp();
                            if let Some((seen, item)) = known.get(&r.id) {
                                if seen == stamp {
                                    return Some(Arc::clone(item));
                                }
                            }
                            let c = Contact::from_record(r)?;
                            let folded = c.search_text();
                            let item = Arc::new((c, folded));
                            known.insert(r.id.clone(), (stamp.clone(), Arc::clone(&item)));
                            Some(item)
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        out.sort_by(|a, b| b.0.at.cmp(&a.0.at));
        out
    })
}

#[derive(Clone, Default, PartialEq)]
struct Filter {
    words: Vec<String>,
    worry: Option<String>,
    mode: Option<String>,
    from: Option<Date>,
    to: Option<Date>,
    status: Option<String>,
    referral: Option<String>,
}

impl Filter {
    fn accepts(&self, c: &Contact, folded: &str) -> bool {
        text::matches(folded, &self.words)
            && self.worry.as_ref().is_none_or(|w| c.worries.iter().any(|x| x.id() == w))
            && self.mode.as_ref().is_none_or(|m| &c.mode == m)
            && self.from.is_none_or(|f| c.date().is_some_and(|d| d >= f))
            && self.to.is_none_or(|t| c.date().is_some_and(|d| d <= t))
            && match self.status.as_deref() {
                Some("open") => c.open,
                Some("closed") => !c.open,
                _ => true,
            }
            && self.referral.as_ref().is_none_or(|s| c.referrals.iter().any(|r| &r.state == s))
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[component]
pub fn Records() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let contacts = indexed_contacts(app);
    let query = RwSignal::new(String::new());
    let worry = RwSignal::new(None::<String>);
    let mode = RwSignal::new(None::<String>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let referral = RwSignal::new(None::<String>);
    let shown = RwSignal::new(PAGE);
    let crisis = RwSignal::new(false);

    let filter = Memo::new(move |_| Filter {
        words: text::query_words(&query.get()),
        worry: worry.get(),
        mode: mode.get(),
        from: Date::parse(&from.get()).ok(),
        to: Date::parse(&to.get()).ok(),
        status: status.get(),
        referral: referral.get(),
    });
    let today = now_jst().date;
    let due = Memo::new(move |_| {
        contacts.with(|all| {
            let mut overdue: Vec<Contact> = all.iter().filter(|i| i.0.overdue(today)).map(|i| i.0.clone()).collect();
            overdue.sort_by_key(|c| c.follow_up);
            let today: Vec<Contact> = all.iter().filter(|i| i.0.due_today(today)).map(|i| i.0.clone()).collect();
            (overdue, today)
        })
    });
    let results = Memo::new(move |_| {
        let f = filter.get();
        contacts.with(|all| all.iter().filter(|i| f.accepts(&i.0, &i.1)).cloned().collect::<Vec<Indexed>>())
    });

    view! {
        <div class="screen-head">
            <h1>{t.records_title}</h1>
            <button type="button" class="button danger small" data-testid="crisis-button" on:click=move |_| crisis.set(true)>{t.crisis_button}</button>
        </div>
        <a class="button fab" href="#/contact/new" data-testid="new-contact">{t.new_contact}</a>
        <CrisisCard open=crisis/>
        <Show when=move || filter.with(Filter::is_empty)>
            <FollowUps due/>
        </Show>
        <div class="search">
            <TextField label=t.search value=query hint=t.search_hint kind="search" testid="search"/>
        </div>
        <details class="card filters">
            <summary>{t.filters}</summary>
            <label class="field">
                <span class="label">{t.filter_worry}</span>
                <select on:change=move |ev| { let v = event_target_value(&ev); worry.set((!v.is_empty()).then_some(v)); }>
                    <option value="">{t.any}</option>
                    {Worry::ALL.iter().map(|w| view! { <option value=w.id()>{t.worry(*w)}</option> }).collect_view()}
                </select>
            </label>
            <ChoiceChips label=t.filter_mode options=t.modes() selected=mode/>
            <TextField label=t.filter_from value=from kind="date"/>
            <TextField label=t.filter_to value=to kind="date"/>
            <ChoiceChips label=t.filter_status options=vec![("open", t.badge_open), ("closed", t.badge_closed)] selected=status/>
            <ChoiceChips label=t.filter_referral options=t.referral_states() selected=referral/>
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
                let more = list.len() > shown.get();
                view! {
                    <ul class="contact-list" data-testid="contact-list">
                        {list.into_iter().take(shown.get()).map(|i| view! { <ContactRow c=i.0.clone() today/> }).collect_view()}
                    </ul>
                    {more.then(|| view! { <button type="button" class="button secondary wide" on:click=move |_| shown.update(|n| *n += PAGE)>{t.show_more}</button> })}
                }.into_any()
            }}
        </section>
        <Exports contacts/>
    }
}

#[component]
fn FollowUps(due: Memo<(Vec<Contact>, Vec<Contact>)>) -> impl IntoView {
    let t = use_texts();
    let today = now_jst().date;
    view! {
        {move || {
            let (overdue, today_list) = due.get();
            (!overdue.is_empty() || !today_list.is_empty()).then(|| view! {
                <section class="followups" data-testid="followups">
                    {(!overdue.is_empty()).then(|| view! {
                        <h2 class="overdue">{t.overdue_title}</h2>
                        <ul class="contact-list">{overdue.into_iter().map(|c| view! { <ContactRow c today/> }).collect_view()}</ul>
                    })}
                    {(!today_list.is_empty()).then(|| view! {
                        <h2>{t.today_title}</h2>
                        <ul class="contact-list">{today_list.into_iter().map(|c| view! { <ContactRow c today/> }).collect_view()}</ul>
                    })}
                </section>
            })
        }}
    }
}

#[component]
fn ContactRow(c: Contact, today: Date) -> impl IntoView {
    let t = use_texts();
    let href = format!("#/contact/{}", c.id);
    let when = c.at.map(|at| t.datetime(at)).unwrap_or_default();
    let overdue = c.overdue(today);
    let excerpt: String = c.note.chars().take(60).collect();
    let worries: Vec<&'static str> = c.worries.iter().map(|w| t.worry(*w)).collect();
    view! {
        <li class="contact" class:overdue=overdue>
            <a href=href>
                <span class="when">{when}" · "{t.mode_label(&c.mode)}</span>
                <span class="who">{if c.person.is_empty() { "—".to_owned() } else { c.person.clone() }}</span>
                <span class="tags">
                    {worries.into_iter().map(|w| view! { <span class="tag">{w}</span> }).collect_view()}
                    {c.risk.then(|| view! { <span class="tag risk">{t.badge_risk}</span> })}
                    {(c.visibility == nimo_core::collection::Visibility::Group).then(|| view! { <span class="tag">{t.badge_shared}</span> })}
                    {overdue.then(|| view! { <span class="tag risk">{t.badge_overdue}</span> })}
                    {(!c.open).then(|| view! { <span class="tag muted">{t.badge_closed}</span> })}
                </span>
                <span class="excerpt">{excerpt}</span>
            </a>
        </li>
    }
}

fn csv_rows(t: &'static Texts, contacts: &[Contact]) -> String {
    let header = [
        "日時", "時間（分）", "相談の形", "相手", "相談者", "関係", "年代", "地域コード", "悩み", "窓口が見つからなかった悩み", "したこと", "メモ",
        "紹介先", "フォローアップ日", "危険", "状態", "共有", "ペアの訪問者", "病院", "希望の確認方法", "確認日",
    ];
    let rows: Vec<Vec<String>> = contacts
        .iter()
        .map(|c| {
            let worries = |ws: &[Worry]| ws.iter().map(|w| w.ja()).collect::<Vec<_>>().join("・");
            vec![
                c.at.map(|a| format!("{} {}", a.date, a.time)).unwrap_or_default(),
                c.duration_min.map(|d| d.to_string()).unwrap_or_default(),
                crate::i18n::JA.mode_label(&c.mode).to_owned(),
                c.person.clone(),
                c.caller.clone(),
                c.relation.clone(),
                c.age_band.clone(),
                c.area.map(|a| a.to_string()).unwrap_or_default(),
                worries(&c.worries),
                worries(&c.unmet_worries),
                c.actions.join("・"),
                c.note.clone(),
                c.referrals.iter().map(|r| format!("{}（{}）", r.name, crate::i18n::JA.referral_state(&r.state))).collect::<Vec<_>>().join("・"),
                c.follow_up.map(|d| d.to_string()).unwrap_or_default(),
                if c.risk { "あり".into() } else { String::new() },
                if c.open { "対応中".into() } else { "終了".into() },
                if c.visibility == nimo_core::collection::Visibility::Group { "共有".into() } else { "自分だけ".into() },
                c.partner.clone(),
                c.hospital.clone(),
                c.wish_method.clone(),
                c.wish_date.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let _ = t;
    nimo_core::csv::document(&header, &rows)
}

#[component]
fn Exports(contacts: Memo<Vec<Indexed>>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    // Exports read what is stored on the device, not what the screen holds.
    let mine = move || async move {
        let me = app.me.get_untracked().map(|m| m.user);
        let group = app.group.get_untracked();
        state::stored(app, Collection::Contact)
            .await
            .into_iter()
            .filter(|r| Some(&r.owner) == me.as_ref() && Some(&r.group) == group.as_ref())
            .collect::<Vec<_>>()
    };
    let contacts_of = |records: &[nimo_core::record::Record]| records.iter().filter_map(Contact::from_record).collect::<Vec<_>>();
    let stamp = move || now_jst().date.to_string();
    let export_csv = move |_| {
        spawn_local(async move {
            let records = mine().await;
            download(&format!("nimo-contacts-{}.csv", stamp()), "text/csv;charset=utf-8", csv_rows(t, &contacts_of(&records)).as_bytes());
        })
    };
    let export_json = move |_| {
        spawn_local(async move {
            let records = mine().await;
            let json = serde_json::to_string_pretty(&records).unwrap_or_default();
            download(&format!("nimo-contacts-{}.json", stamp()), "application/json", json.as_bytes());
        })
    };
    let monthly = Memo::new(move |_| contacts.with(|all| monthly_counts(all.iter().map(|i| &i.0))));
    let export_monthly = move |_| {
        spawn_local(async move {
            let records = mine().await;
            let m = monthly_counts(&contacts_of(&records));
            let mut rows = Vec::new();
            for ((month, mode), n) in &m.by_mode {
                rows.push(vec![month.clone(), "相談の形".into(), crate::i18n::JA.mode_label(mode).to_owned(), n.to_string()]);
            }
            for ((month, worry), n) in &m.by_worry {
                let label = Worry::from_id(worry).map(|w| w.ja()).unwrap_or("");
                rows.push(vec![month.clone(), "悩み".into(), label.to_owned(), n.to_string()]);
            }
            let doc = nimo_core::csv::document(&["月", "区分", "項目", "件数"], &rows);
            download(&format!("nimo-monthly-{}.csv", stamp()), "text/csv;charset=utf-8", doc.as_bytes());
        })
    };
    view! {
        <details class="card" data-testid="exports">
            <summary>{t.export_title}</summary>
            <p class="hint">{t.mine_only}</p>
            <div class="buttons">
                <button type="button" class="button secondary" data-testid="export-csv" on:click=export_csv>{t.export_csv}</button>
                <button type="button" class="button secondary" data-testid="export-json" on:click=export_json>{t.export_json}</button>
            </div>
            <h3>{t.monthly_title}</h3>
            {move || {
                let m = monthly.get();
                view! {
                    <div class="table-wrap">
                        <table class="counts" data-testid="monthly">
                            <thead><tr><th>{t.month}</th>{nimo_core::collection::CONTACT_MODES.iter().map(|mode| view! { <th>{t.mode_label(mode)}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {m.months.iter().map(|month| view! {
                                    <tr>
                                        <th>{month.clone()}</th>
                                        {nimo_core::collection::CONTACT_MODES.iter().map(|mode| {
                                            let n = m.by_mode.get(&(month.clone(), (*mode).to_owned())).copied().unwrap_or(0);
                                            view! { <td>{n}</td> }
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            }}
            <button type="button" class="button secondary" data-testid="export-monthly" on:click=export_monthly>{t.monthly_csv}</button>
        </details>
    }
}
