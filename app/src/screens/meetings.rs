//! 協議の場: the meetings list, one meeting (its details, who attends,
//! what was raised, 「前回からの宿題」), one raised item (its history and
//! evidence), and the fiscal-year report. The forms come from the schema.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::base::time::{Date, FiscalYear};
use nimo_core::directory::area::AreaCode;
use nimo_core::kyogi::evidence::{self, Months, Shown, Snapshot};
use nimo_core::kyogi::meeting::{self, Attendance, Axis, Capacity, Item, ItemStatus, ItemUpdate, Meeting, MeetingStatus, Tracked, attendance_id};
use nimo_core::schema::field::{Note, Refs, Text};
use nimo_core::schema::{Doc, FieldType, Input, Problems, Section, Typed, Vocab};
use nimo_core::sync::client::{Change, ChangeKind, EngineError};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::record::Record;

use crate::components::{ChoiceChips, TextField, download};
use crate::form::fields::{Fields, labelled};
use crate::form::{FormState, ProblemSummary};
use crate::i18n::{Texts, use_texts};
use crate::route::go;
use crate::screens::areas::AreaPicker;
use crate::state::{AppState, SaveFailure, api, now_jst, sync, use_app};

/// The current group's meetings, items (with history) and attendance.
#[derive(Clone, Copy)]
struct Data {
    meetings: Memo<Vec<Doc<Meeting>>>,
    items: Memo<Vec<Tracked>>,
    attendance: Memo<Vec<Doc<Attendance>>>,
}

fn data(app: AppState) -> Data {
    let in_group = move |r: &Record| app.group.with(|g| g.as_ref() == Some(&r.group));
    let meetings = Memo::new(move |_| {
        let mut list: Vec<Doc<Meeting>> = app.cache.with(Collection::Meeting, |m| m.values().filter(|r| in_group(r)).filter_map(Doc::from_record).collect());
        nimo_core::base::order::sort_by_key(&mut list, |m| (m.data.date, m.data.start));
        list
    });
    let items = Memo::new(move |_| {
        let updates: Vec<Doc<ItemUpdate>> = app.cache.with(Collection::ItemUpdate, |m| m.values().filter(|r| in_group(r)).filter_map(Doc::from_record).collect());
        app.cache.with(Collection::Item, |m| m.values().filter(|r| in_group(r)).filter_map(Doc::<Item>::from_record).map(|i| Tracked::new(i, &updates)).collect())
    });
    let attendance = Memo::new(move |_| app.cache.with(Collection::Attendance, |m| m.values().filter(|r| in_group(r)).filter_map(Doc::from_record).collect()));
    Data { meetings, items, attendance }
}

/// Saves a shared record of a 協議の場 collection.
async fn put<T: Typed>(app: AppState, id: RecordId, value: &T) -> Result<Record, EngineError> {
    let group = app.group.get_untracked().ok_or(EngineError::NotStarted)?;
    let change = Change { collection: T::SCHEMA.collection, id, group, kind: ChangeKind::put(Some(Visibility::Group), value.changes()) };
    api::change(app, change).await
}

/// [`put`] from a tap whose screen has no place to say a failure: it is
/// said app-wide (`api::said`). Whether it was saved.
async fn put_or_say<T: Typed>(app: AppState, id: RecordId, value: &T) -> bool {
    api::said(app, put(app, id, value).await).is_some()
}

fn meeting_label(t: &'static Texts, m: &Meeting) -> String {
    let date = m.date.map(|d| t.date(d)).unwrap_or_default();
    let time = m.start.map(|s| format!(" {s}")).unwrap_or_default();
    format!("{date}{time}")
}

#[component]
pub fn Meetings() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let d = data(app);
    let ja = t.is_ja();
    let today = now_jst().date;
    let ics = move |_| {
        let text = meeting::icalendar(&d.meetings.get_untracked(), today, &meeting::utc_stamp(now_jst()));
        download(&format!("nimo-meetings-{today}.ics"), "text/calendar;charset=utf-8", text.as_bytes());
    };
    let row = move |m: Doc<Meeting>| {
        let level = m.data.level.map(|l| l.label().get(ja)).unwrap_or("");
        view! {
            <li>
                <a href=format!("#/meeting/{}", m.id)>
                    <strong>{m.data.body.to_string()}</strong><br/>
                    <small>{meeting_label(t, &m.data)}" · "{level}" · "{m.data.status().label().get(ja)}</small>
                </a>
            </li>
        }
    };
    view! {
        <div class="screen-head">
            <h1>{t.meetings_title}</h1>
            <a class="button small" href="#/meeting/new" data-testid="new-meeting">{t.new_meeting}</a>
        </div>
        <div class="buttons">
            <button type="button" class="button secondary" data-testid="ics" on:click=handler::click(ics)>{t.ics_download}</button>
            <a class="button secondary" href="#/report" data-testid="report-link">{t.report_link}</a>
        </div>
        {move || {
            let all = d.meetings.get();
            if all.is_empty() {
                return view! { <p class="empty">{t.no_meetings}</p> }.into_any();
            }
            let (upcoming, mut past): (Vec<Doc<Meeting>>, Vec<Doc<Meeting>>) = all.into_iter().partition(|m| m.data.date.is_some_and(|x| x >= today));
            past.reverse();
            view! {
                <section><h2>{t.upcoming}</h2><ul class="rows" data-testid="upcoming">{upcoming.into_iter().map(row).collect_view()}</ul></section>
                <section><h2>{t.past}</h2><ul class="rows" data-testid="past">{past.into_iter().map(row).collect_view()}</ul></section>
            }.into_any()
        }}
    }
}

/// A meeting: new when `id` is None.
#[component]
pub fn MeetingScreen(#[prop(optional)] id: Option<RecordId>) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let d = data(app);
    let existing = id.as_ref().and_then(|id| app.cache.get(Collection::Meeting, id)).as_ref().and_then(Doc::<Meeting>::from_record);
    if id.is_some() && existing.is_none() {
        return view! { <h1>{t.meetings_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    }
    let start = existing.as_ref().map(|m| m.data.clone()).unwrap_or_else(|| Meeting {
        level: Some(nimo_core::kyogi::meeting::MeetingLevel::Municipal),
        date: Some(now_jst().date),
        status: Some(MeetingStatus::Planned),
        ..Meeting::default()
    });
    let form = FormState::new(&Meeting::SCHEMA, &start.to_inputs());
    form.details_open.set(existing.is_some());
    let failure = RwSignal::new(None::<String>);
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let meeting = match Meeting::from_inputs(&form.values_untracked()) {
            Ok(m) => m,
            Err(p) => {
                form.show(p);
                return;
            }
        };
        form.show(Problems::new());
        let Some(mid) = save_id.clone().or_else(|| api::new_id(app)) else { return };
        spawn_local(async move {
            match put(app, mid.clone(), &meeting).await {
                Ok(_) => {
                    app.flash.set(Some(t.saved_local.to_owned()));
                    go(&format!("#/meeting/{mid}"));
                }
                Err(e) => failure.set(Some(t.save_failure(SaveFailure::of(&e)).to_owned())),
            }
        });
    };
    let title = existing.as_ref().map_or_else(|| t.meeting_new_title.to_owned(), |m| m.data.body.to_string());
    view! {
        <h1>{title}</h1>
        <form class="card" on:submit=handler::submit(save) novalidate data-testid="meeting-form">
            <ProblemSummary form/>
            {move || failure.get().map(|f| view! { <p class="notice error" role="alert">{f}</p> })}
            <Fields form section=Section::Quick/>
            <details prop:open=move || form.details_open.get()>
                <summary>{t.details}</summary>
                <Fields form section=Section::Details/>
            </details>
            <div class="savebar">
                <button type="submit" class="button wide" data-testid="save-meeting">{t.save}</button>
            </div>
        </form>
        {existing.map(|m| view! {
            <AttendancePanel meeting=m.clone() d/>
            <ItemsPanel meeting=m d/>
        })}
    }
    .into_any()
}

#[component]
fn AttendancePanel(meeting: Doc<Meeting>, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let members = sync::members(app);
    let mid = meeting.id.clone();
    view! {
        <section class="card" data-testid="attendance">
            <h2>{t.attendance_title}</h2>
            {move || {
                let list = members.get();
                if list.is_empty() {
                    return view! { <p class="hint">{t.members_offline}</p> }.into_any();
                }
                list.into_iter().map(|member| {
                    let aid = attendance_id(&mid, &member.id);
                    let current = d.attendance.with_untracked(|a| a.iter().find(|x| x.id == aid).map(|x| x.data.clone()));
                    let capacity = RwSignal::new(current.as_ref().and_then(|a| a.capacity).map(|c| c.id().to_owned()));
                    let planned = RwSignal::new(current.as_ref().is_some_and(|a| a.planned));
                    let attended = RwSignal::new(current.as_ref().is_some_and(|a| a.attended));
                    let prep = RwSignal::new(current.as_ref().map(|a| a.prep.to_string()).unwrap_or_default());
                    let (mid, member_id, name) = (mid.clone(), member.id.clone(), member.display_name.clone());
                    let save = move || {
                        let value = Attendance {
                            meeting: Some(mid.clone()),
                            member: Some(member_id.clone()),
                            member_name: Text::new(name.clone()),
                            capacity: capacity.get_untracked().and_then(|c| Capacity::from_id(&c)),
                            planned: planned.get_untracked(),
                            attended: attended.get_untracked(),
                            prep: Note::new(prep.get_untracked()),
                        };
                        let aid = aid.clone();
                        spawn_local(async move { put_or_say(app, aid, &value).await; });
                    };
                    let save = StoredValue::new(save);
                    let changed = move || save.with_value(|f| f());
                    handler::effect(move |first: Option<()>| {
                        capacity.track();
                        if first.is_some() { changed(); }
                    });
                    view! {
                        <div class="member" data-member=member.display_name.clone()>
                            <h3>{member.display_name.clone()}</h3>
                            <ChoiceChips label=t.capacity options=labelled(Capacity::OPTIONS, ja) selected=capacity/>
                            <label class="choice"><input type="checkbox" data-testid="will-attend" prop:checked=move || planned.get() on:change=handler::change(move |ev| { planned.set(event_target_checked(&ev)); changed(); })/><span>{t.will_attend}</span></label>
                            <label class="choice"><input type="checkbox" data-testid="attended" prop:checked=move || attended.get() on:change=handler::change(move |ev| { attended.set(event_target_checked(&ev)); changed(); })/><span>{t.attended}</span></label>
                            <details>
                                <summary>{t.prep}</summary>
                                <textarea rows="3" aria-label=t.prep prop:value=move || prep.get() on:input=handler::input(move |ev| prep.set(event_target_value(&ev))) on:change=handler::change(move |_| changed())></textarea>
                            </details>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn ItemsPanel(meeting: Doc<Meeting>, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let blank = Item { body: meeting.data.body.clone(), meetings: Refs(vec![meeting.id.clone()]), ..Item::default() };
    let form = FormState::new(&Item::SCHEMA, &blank.to_inputs());
    let m = meeting.clone();
    let raise = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut item = match Item::from_inputs(&form.values_untracked()) {
            Ok(i) => i,
            Err(p) => {
                form.show(p);
                return;
            }
        };
        form.show(Problems::new());
        let (Some(iid), Some(uid), Some(me)) = (api::new_id(app), api::new_id(app), app.me.get_untracked()) else { return };
        item.raised_by = Some(me.user.clone());
        item.raised_by_name = Text::new(me.display_name.clone());
        let update = ItemUpdate { item: Some(iid.clone()), meeting: Some(m.id.clone()), date: Some(m.data.date.unwrap_or(now_jst().date)), status: Some(ItemStatus::Accepted), ..ItemUpdate::default() };
        let blank = blank.clone();
        spawn_local(async move {
            if put_or_say(app, iid, &item).await && put_or_say(app, uid, &update).await {
                form.set_values(&blank.to_inputs());
            }
        });
    };
    let mid = meeting.id.clone();
    let m2 = meeting.clone();
    view! {
        <section class="card" data-testid="items">
            <h2>{t.items_title}</h2>
            <ul class="rows" data-testid="item-list">
                {move || d.items.get().into_iter().filter(|i| i.item.data.meetings.contains(&mid)).map(|i| view! {
                    <li><a href=format!("#/item/{}", i.item.id)><strong>{i.item.data.title.to_string()}</strong></a><span class="tag" data-testid="item-status">{i.status().label().get(ja)}</span></li>
                }).collect_view()}
            </ul>
            <Homework meeting=m2 d/>
            <details>
                <summary data-testid="new-item">{t.new_item}</summary>
                <form on:submit=handler::submit(raise) novalidate data-testid="item-form">
                    <ProblemSummary form/>
                    <Fields form section=Section::Quick/>
                    <Fields form section=Section::Details/>
                    <button type="submit" class="button" data-testid="save-item">{t.save}</button>
                </form>
            </details>
        </section>
    }
}

#[component]
fn Homework(meeting: Doc<Meeting>, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    view! {
        <div class="homework" data-testid="homework">
            <h3>{t.homework_title}</h3>
            {move || {
                let meetings = d.meetings.get();
                let items = d.items.get();
                let list: Vec<Tracked> = meeting::homework(&meeting, &meetings, &items).into_iter().cloned().collect();
                if list.is_empty() {
                    return view! { <p class="hint">{t.homework_none}</p> }.into_any();
                }
                list.into_iter().map(|tracked| {
                    let m = meeting.clone();
                    let carry = {
                        let tracked = tracked.clone();
                        move |_| {
                            let (Some(refs), Some(uid)) = (tracked.carry_to(&m.id), api::new_id(app)) else { return };
                            let mut item = tracked.item.data.clone();
                            item.meetings = refs;
                            let update = ItemUpdate {
                                item: Some(tracked.item.id.clone()),
                                meeting: Some(m.id.clone()),
                                date: Some(m.data.date.unwrap_or(now_jst().date)),
                                status: Some(ItemStatus::Carried),
                                note: Note::new(t.carried_note),
                            };
                            let iid = tracked.item.id.clone();
                            spawn_local(async move {
                                if put_or_say(app, iid, &item).await {
                                    put_or_say(app, uid, &update).await;
                                }
                            });
                        }
                    };
                    view! {
                        <p class="homework-item">
                            <a href=format!("#/item/{}", tracked.item.id)>{tracked.item.data.title.to_string()}</a>" "<span class="tag">{tracked.status().label().get(ja)}</span>" "
                            <button type="button" class="button secondary small" data-testid="carry" on:click=handler::click(carry)>{t.carry_here}</button>
                        </p>
                    }
                }).collect_view().into_any()
            }}
        </div>
    }
}

/// A raised item: what, where, its history, its evidence.
#[component]
pub fn ItemScreen(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let d = data(app);
    let item = {
        let id = id.clone();
        Memo::new(move |_| d.items.with(|all| all.iter().find(|i| i.item.id == id).cloned()))
    };
    let Some(first) = item.get_untracked() else {
        return view! { <h1>{t.items_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    };
    // An update belongs to the item's latest meeting: by default its date.
    let latest = first.item.data.meetings.last().cloned();
    let latest_date = latest.as_ref().and_then(|last| d.meetings.with_untracked(|ms| ms.iter().find(|m| &m.id == last).and_then(|m| m.data.date)));
    let blank = ItemUpdate {
        item: Some(id.clone()),
        meeting: latest.clone(),
        date: Some(latest_date.map_or(now_jst().date, |x| x.max(now_jst().date))),
        status: Some(ItemStatus::Considering),
        ..ItemUpdate::default()
    };
    let form = FormState::new(&ItemUpdate::SCHEMA, &blank.to_inputs());
    let record_update = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = match ItemUpdate::from_inputs(&form.values_untracked()) {
            Ok(u) => u,
            Err(p) => {
                form.show(p);
                return;
            }
        };
        form.show(Problems::new());
        let Some(uid) = api::new_id(app) else { return };
        spawn_local(async move {
            if put_or_say(app, uid, &update).await {
                form.input("note").set(Input::Text(String::new()));
            }
        });
    };
    let meeting_name = move |mid: &RecordId| d.meetings.with(|ms| ms.iter().find(|m| &m.id == mid).map(|m| format!("{} {}", meeting_label(t, &m.data), m.data.body)).unwrap_or_default());
    view! {
        {move || item.get().map(|i| {
            let data = i.item.data.clone();
            view! {
                <h1>{data.title.to_string()}</h1>
                <p><span class="tag" data-testid="current-status">{i.status().label().get(ja)}</span></p>
                <section class="card">
                    <p><strong>{t.raised_at}</strong>"："{data.meetings.iter().map(meeting_name).collect::<Vec<_>>().join(" → ")}</p>
                    <p><strong>{t.raised_by}</strong>"："{data.raised_by_name.to_string()}" · "<strong>{t.taken_by}</strong>"："{data.taken_by.to_string()}</p>
                    <p>{data.worries.iter().map(|w| w.label().get(ja)).collect::<Vec<_>>().join("・")}</p>
                    {(!data.detail.is_empty()).then(|| view! { <p class="prewrap">{data.detail.to_string()}</p> })}
                </section>
                <section class="card" data-testid="history">
                    <h2>{t.history_title}</h2>
                    <ol class="history">
                        {i.history.iter().map(|u| view! {
                            <li><strong>{u.data.date.map(|x| t.date(x)).unwrap_or_default()}</strong>" "{u.data.status.map(|s| s.label().get(ja)).unwrap_or("")}
                                {(!u.data.note.is_empty()).then(|| format!("（{}）", u.data.note))}</li>
                        }).collect_view()}
                    </ol>
                </section>
                {(!data.evidence.is_empty()).then(|| view! { <section class="card" data-testid="attached-evidence"><h2>{t.evidence_attached}</h2><EvidenceTable snapshot=data.evidence.clone()/></section> })}
            }
        })}
        <form class="card" on:submit=handler::submit(record_update) data-testid="update-form">
            <h2>{t.add_update}</h2>
            <ProblemSummary form/>
            <Fields form section=Section::Quick/>
            <button type="submit" class="button" data-testid="save-update">{t.save}</button>
        </form>
        <EvidencePanel id/>
    }
    .into_any()
}

/// A table of counts as a list that reflows at large text: 「なし」 when empty.
fn evidence_rows(t: &'static Texts, list: &[(String, Shown)]) -> AnyView {
    if list.is_empty() {
        return view! { <p class="hint">{t.none}</p> }.into_any();
    }
    let ja = t.is_ja();
    view! {
        <dl class="counts-list">
            {list.iter().map(|(k, c)| view! { <dt>{evidence::row_label(k).get(ja).to_owned()}</dt><dd>{c.say().get(ja).to_owned()}</dd> }).collect_view()}
        </dl>
    }
    .into_any()
}

#[component]
fn EvidenceTable(snapshot: Snapshot) -> impl IntoView {
    let t = use_texts();
    let ja = t.is_ja();
    view! {
        <div class="evidence" data-testid="evidence-table">
            <p class="hint">{t.ev_period}"："{t.date(snapshot.from)}" 〜 "{t.date(snapshot.to)}
                {snapshot.area.map(|a| format!(" · {}", nimo_core::directory::area::full_name(a)))}</p>
            <p><strong>{t.ev_contacts}</strong>"："<span data-testid="ev-total">{snapshot.contacts.say().get(ja).to_owned()}</span></p>
            <h3>{t.ev_modes}</h3>
            {evidence_rows(t, &snapshot.modes)}
            <h3>{t.ev_worries}</h3>
            {evidence_rows(t, &snapshot.worries)}
            <h3>{t.ev_not_connected}</h3>
            {evidence_rows(t, &snapshot.not_connected)}
            <h3>{t.ev_unmet}</h3>
            {evidence_rows(t, &snapshot.unmet)}
            <p class="hint">{t.evidence_rules}</p>
        </div>
    }
}

/// Counts from the group's shared contacts over whole finished months and an
/// area, and one tap to attach them to the item.
#[component]
fn EvidencePanel(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let today = now_jst().date;
    let last_month = Date::new(today.year(), today.month(), 1).map(|d| d.add_days(-1)).unwrap_or(today);
    let from = RwSignal::new(last_month.add_days(-62).month_key());
    let to = RwSignal::new(last_month.month_key());
    let area = RwSignal::new(None::<String>);
    let attached = RwSignal::new(None::<String>);
    let month = |s: String| Date::parse(&format!("{s}-01")).ok();
    let snapshot = Memo::new(move |_| {
        let months = Months::finished(month(from.get())?, month(to.get())?, today)?;
        let code = area.get().and_then(|a| AreaCode::parse(&a).ok());
        Some(app.index.contacts.with(|all| evidence::compute(all.iter().map(|i| &i.0), months, code, today)))
    });
    let attach = move |_| {
        let Some(snap) = snapshot.get_untracked() else { return };
        let Some(group) = app.group.get_untracked() else { return };
        let id = id.clone();
        spawn_local(async move {
            let kind = ChangeKind::put(None, vec![("evidence".into(), snap.to_value())]);
            if api::save(app, Change { collection: Collection::Item, id, group, kind }).await.is_some() {
                attached.set(Some(t.saved_local.to_owned()));
            }
        });
    };
    view! {
        <section class="card" data-testid="evidence">
            <h2>{t.evidence_title}</h2>
            <p class="hint">{t.evidence_lead}</p>
            <div class="two">
                <TextField label=t.evidence_from value=from kind="month" testid="evidence-from"/>
                <TextField label=t.evidence_to value=to kind="month" testid="evidence-to"/>
            </div>
            <AreaPicker label=t.evidence_area selected=area/>
            {move || match snapshot.get() {
                Some(s) => view! { <EvidenceTable snapshot=s/> }.into_any(),
                None => view! { <p class="notice warning">{t.evidence_finished_months}</p> }.into_any(),
            }}
            {move || attached.get().map(|m| view! { <p class="notice info" role="status">{m}</p> })}
            <button type="button" class="button" data-testid="attach-evidence" on:click=handler::click(attach) disabled=move || snapshot.with(Option::is_none)>{t.evidence_attach}</button>
        </section>
    }
}

/// 年度の報告: printable, and as CSV.
#[component]
pub fn Report() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let ja = t.is_ja();
    let d = data(app);
    let current = now_jst().date.fiscal_year();
    let year = RwSignal::new(current.0);
    let years = move || {
        let mut ys: Vec<i32> = d.meetings.with(|ms| ms.iter().filter_map(|m| m.data.date.map(|x| x.fiscal_year().0)).collect());
        ys.push(current.0);
        nimo_core::base::order::sort_dedup(&mut ys);
        ys
    };
    let report = Memo::new(move |_| meeting::year_report(FiscalYear(year.get()), &d.meetings.get(), &d.attendance.get(), &d.items.get()));
    let csv = move |_| {
        let r = report.get_untracked();
        download(&format!("nimo-report-{}.csv", year.get_untracked()), "text/csv;charset=utf-8", meeting::year_report_csv(&r).as_bytes());
    };
    let label = move |y: i32| if ja { FiscalYear(y).label_ja() } else { format!("FY{y}") };
    view! {
        <h1>{t.year_report_title}</h1>
        <div class="no-print">
            <label class="field">
                <span class="label">{t.fiscal_year}</span>
                <select data-testid="fiscal-year" on:change=handler::change(move |ev| { if let Ok(y) = event_target_value(&ev).parse() { year.set(y); } })>
                    {years().into_iter().map(|y| view! { <option value=y.to_string() selected=move || year.get() == y>{label(y)}</option> }).collect_view()}
                </select>
            </label>
            <div class="buttons">
                <button type="button" class="button" on:click=handler::click(|_| { let _ = window().print(); })>{t.print}</button>
                <button type="button" class="button secondary" data-testid="report-csv" on:click=handler::click(csv)>{t.report_csv}</button>
            </div>
        </div>
        {move || {
            let r = report.get();
            view! {
                <section class="report-section" data-testid="report">
                    <h2>{label(year.get())}" — "{t.meetings_by_level}</h2>
                    <dl class="counts-list">
                        {r.by_level.iter().map(|(l, h)| view! {
                            <dt>{l.label().get(ja)}</dt>
                            <dd>{t.count_held}" "{h.held}" · "{t.count_planned}" "{h.planned}" · "{t.count_cancelled}" "{h.cancelled}</dd>
                        }).collect_view()}
                    </dl>
                    <h2>{t.meetings_by_axis}</h2>
                    <dl class="counts-list" data-testid="report-axes">
                        {Axis::ALL.iter().map(|a| view! { <dt>{a.label().get(ja)}</dt><dd>{t.times(r.by_axis.get(a).copied().unwrap_or(0))}</dd> }).collect_view()}
                    </dl>
                    <h2>{t.attendance_by_member}</h2>
                    <dl class="counts-list">
                        {r.attendance.iter().map(|(n, (p, a))| view! { <dt>{n.clone()}</dt><dd>{t.will_attend}" "{*p}" · "{t.count_attended}" "{*a}</dd> }).collect_view()}
                    </dl>
                    <h2>{t.items_by_status}</h2>
                    <p>{r.items_by_status.iter().map(|(s, n)| format!("{} {}", s.label().get(ja), t.count(*n as usize))).collect::<Vec<_>>().join("・")}</p>
                    <ul class="rows">
                        {r.items.iter().map(|i| view! { <li><span>{t.date(i.date)}" "{i.body.clone()}<br/><strong>{i.title.clone()}</strong></span><span class="tag">{i.status.label().get(ja)}</span></li> }).collect_view()}
                    </ul>
                </section>
            }
        }}
    }
}
