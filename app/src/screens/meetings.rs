//! 協議の場: the meetings list, one meeting (its details, who attends,
//! what was raised, 「前回からの宿題」), one raised item (its history and
//! evidence), and the fiscal-year report.

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::api::MemberInfo;
use nimo_core::client::{Change, ChangeKind};
use nimo_core::collection::{Collection, Visibility};
use nimo_core::contact::Contact;
use nimo_core::evidence::{self, ShownCount, Snapshot};
use nimo_core::ids::RecordId;
use nimo_core::meeting::{self, Attendance, Item, Meeting, Update, attendance_id};
use nimo_core::taxonomy::Worry;
use nimo_core::time::{Date, FiscalYear};
use serde_json::{Value, json};

use crate::components::{ChoiceChips, MultiChips, Notice, TextArea, TextField, download};
use crate::i18n::{Texts, use_texts};
use crate::platform::http;
use crate::route::go;
use crate::screens::areas::AreaPicker;
use crate::state::{self, AppState, now_jst, use_app};

/// The current group's meetings, items (with history) and attendance.
#[derive(Clone, Copy)]
struct Data {
    meetings: Memo<Vec<Meeting>>,
    items: Memo<Vec<Item>>,
    attendance: Memo<Vec<Attendance>>,
}

fn data(app: AppState) -> Data {
    let in_group = move |r: &nimo_core::record::Record| app.group.with(|g| g.as_ref() == Some(&r.group));
    let meetings = Memo::new(move |_| {
        let mut list: Vec<Meeting> = app.cache.with(Collection::Meeting, |m| m.values().filter(|r| in_group(r)).filter_map(Meeting::from_record).collect());
        list.sort_by(|a, b| (a.date, a.start).cmp(&(b.date, b.start)));
        list
    });
    let items = Memo::new(move |_| {
        let updates: Vec<Update> = app.cache.with(Collection::ItemUpdate, |m| m.values().filter(|r| in_group(r)).filter_map(Update::from_record).collect());
        app.cache.with(Collection::Item, |m| m.values().filter(|r| in_group(r)).filter_map(|r| Item::from_record(r, &updates)).collect())
    });
    let attendance = Memo::new(move |_| app.cache.with(Collection::Attendance, |m| m.values().filter(|r| in_group(r)).filter_map(Attendance::from_record).collect()));
    Data { meetings, items, attendance }
}

async fn put(app: AppState, collection: Collection, id: RecordId, fields: Vec<(String, Value)>) -> bool {
    let Some(group) = app.group.get_untracked() else { return false };
    let change = Change { collection, id, group, kind: ChangeKind::put(Some(Visibility::Group), fields) };
    state::change(app, change).await.is_ok()
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
    let today = now_jst().date;
    let ics = move |_| {
        let text = meeting::icalendar(&d.meetings.get_untracked(), today, &meeting::utc_stamp(now_jst()));
        download(&format!("nimo-meetings-{today}.ics"), "text/calendar;charset=utf-8", text.as_bytes());
    };
    let row = move |m: Meeting| {
        view! {
            <li>
                <a href=format!("#/meeting/{}", m.id)>
                    <strong>{m.body.clone()}</strong><br/>
                    <small>{meeting_label(t, &m)}" · "{t.meeting_level(&m.level)}" · "{t.meeting_status(&m.status)}</small>
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
            <button type="button" class="button secondary" data-testid="ics" on:click=ics>{t.ics_download}</button>
            <a class="button secondary" href="#/report" data-testid="report-link">{t.report_link}</a>
        </div>
        {move || {
            let all = d.meetings.get();
            if all.is_empty() {
                return view! { <p class="empty">{t.no_meetings}</p> }.into_any();
            }
            let (upcoming, mut past): (Vec<Meeting>, Vec<Meeting>) = all.into_iter().partition(|m| m.date.is_some_and(|x| x >= today));
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
    let existing = id.as_ref().and_then(|id| app.cache.get(Collection::Meeting, id)).and_then(|r| Meeting::from_record(&r));
    if id.is_some() && existing.is_none() {
        return view! { <h1>{t.meetings_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    }
    let m = existing.clone();
    let s = |f: fn(&Meeting) -> String| RwSignal::new(m.as_ref().map(f).unwrap_or_default());
    let body = s(|m| m.body.clone());
    let date = RwSignal::new(m.as_ref().and_then(|m| m.date).unwrap_or(now_jst().date).to_string());
    let start = s(|m| m.start.map(|x| x.to_string()).unwrap_or_default());
    let end = s(|m| m.end.map(|x| x.to_string()).unwrap_or_default());
    let place = s(|m| m.place.clone());
    let agenda = s(|m| m.agenda.clone());
    let minutes = s(|m| m.minutes.clone());
    let level = RwSignal::new(Some(m.as_ref().map_or("municipal".to_owned(), |m| m.level.clone())));
    let status = RwSignal::new(Some(m.as_ref().map_or("planned".to_owned(), |m| m.status.clone())));
    let axes = RwSignal::new(m.as_ref().map(|m| m.axes.clone()).unwrap_or_default());
    let online = RwSignal::new(m.as_ref().is_some_and(|m| m.online));
    let failure = RwSignal::new(None::<String>);
    let body_err = RwSignal::new(None);
    let date_err = RwSignal::new(None);
    let time_err = RwSignal::new(None);
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let bad_body = body.get().trim().is_empty();
        body_err.set(bad_body.then_some(t.p_required));
        let good_date = Date::parse(&date.get()).ok();
        date_err.set(good_date.is_none().then_some(t.p_bad_date));
        let time = |s: String| if s.trim().is_empty() { Ok(Value::Null) } else { nimo_core::time::TimeOfDay::parse(&s).map(|t| json!(t.to_string())) };
        let (st, en) = (time(start.get()), time(end.get()));
        time_err.set((st.is_err() || en.is_err()).then_some(t.p_bad_time));
        let (Some(good_date), Ok(st), Ok(en), false) = (good_date, st, en, bad_body) else {
            failure.set(Some(t.form_has_problems.to_owned()));
            return;
        };
        let fields = vec![
            ("body".into(), json!(body.get().trim())),
            ("level".into(), json!(level.get())),
            ("date".into(), json!(good_date.to_string())),
            ("start".into(), st),
            ("end".into(), en),
            ("place".into(), json!(place.get().trim())),
            ("online".into(), json!(online.get())),
            ("agenda".into(), json!(agenda.get())),
            ("axes".into(), json!(axes.get())),
            ("status".into(), json!(status.get())),
            ("minutes".into(), json!(minutes.get())),
        ];
        let Some(mid) = save_id.clone().or_else(|| state::new_id(app)) else { return };
        spawn_local(async move {
            if put(app, Collection::Meeting, mid.clone(), fields).await {
                app.flash.set(Some(t.saved_local.to_owned()));
                go(&format!("#/meeting/{mid}"));
            } else {
                failure.set(Some(t.err_storage_full.to_owned()));
            }
        });
    };
    let is_new = id.is_none();
    view! {
        <h1>{if is_new { t.meeting_new_title.to_owned() } else { m.as_ref().map(|m| m.body.clone()).unwrap_or_default() }}</h1>
        <form class="card" on:submit=save novalidate data-testid="meeting-form">
            <Notice message=failure/>
            <TextField label=t.meeting_body value=body error=body_err testid="meeting-body"/>
            <ChoiceChips label=t.meeting_level options=t.meeting_levels() selected=level can_clear=false testid="meeting-level"/>
            <TextField label=t.date value=date kind="date" error=date_err testid="meeting-date"/>
            <div class="two">
                <TextField label=t.start value=start kind="time" error=time_err testid="meeting-start"/>
                <TextField label=t.end value=end kind="time"/>
            </div>
            <TextField label=t.place value=place testid="meeting-place"/>
            <label class="choice"><input type="checkbox" prop:checked=move || online.get() on:change=move |ev| online.set(event_target_checked(&ev))/><span>{t.online_meeting}</span></label>
            <TextArea label=t.agenda value=agenda rows=3/>
            <MultiChips label=t.axes options=t.axes() selected=axes/>
            <ChoiceChips label=t.meeting_status options=t.meeting_statuses() selected=status can_clear=false testid="meeting-status"/>
            <TextArea label=t.minutes value=minutes rows=4/>
            <button type="submit" class="button wide" data-testid="save-meeting">{t.save}</button>
        </form>
        {existing.map(|m| view! {
            <AttendancePanel meeting=m.clone() d/>
            <ItemsPanel meeting=m d/>
        })}
    }
    .into_any()
}

/// The group's members, fetched when online and kept on the device for
/// offline use (sealed with the rest when the lock is on).
fn members(app: AppState) -> RwSignal<Vec<MemberInfo>> {
    let list = RwSignal::new(Vec::new());
    spawn_local(async move {
        let Some(group) = app.group.get_untracked() else { return };
        let key = format!("members:{group}");
        if let Some(cached) = state::load_draft::<Vec<MemberInfo>>(app, &key).await {
            list.set(cached);
        }
        if let Ok(fresh) = http::get::<Vec<MemberInfo>>(&format!("/api/groups/{group}/members")).await {
            state::save_draft(app, &key, &fresh).await;
            list.set(fresh);
        }
    });
    list
}

#[component]
fn AttendancePanel(meeting: Meeting, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let members = members(app);
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
                    let current = d.attendance.with_untracked(|a| a.iter().find(|x| x.id == aid).cloned());
                    let capacity = RwSignal::new(current.as_ref().map(|a| a.capacity.clone()).filter(|c| !c.is_empty()));
                    let planned = RwSignal::new(current.as_ref().is_some_and(|a| a.planned));
                    let attended = RwSignal::new(current.as_ref().and_then(|a| a.attended).unwrap_or(false));
                    let prep = RwSignal::new(current.as_ref().map(|a| a.prep.clone()).unwrap_or_default());
                    let (mid, member_id, name) = (mid.clone(), member.id.clone(), member.display_name.clone());
                    let save = move || {
                        let fields = vec![
                            ("meeting".into(), json!(mid.to_string())),
                            ("member".into(), json!(member_id.to_string())),
                            ("member_name".into(), json!(name)),
                            ("capacity".into(), json!(capacity.get_untracked())),
                            ("planned".into(), json!(planned.get_untracked())),
                            ("attended".into(), json!(attended.get_untracked())),
                            ("prep".into(), json!(prep.get_untracked())),
                        ];
                        let aid = aid.clone();
                        spawn_local(async move { put(app, Collection::Attendance, aid, fields).await; });
                    };
                    let save = StoredValue::new(save);
                    let changed = move || save.with_value(|f| f());
                    Effect::new(move |first: Option<()>| {
                        capacity.track();
                        if first.is_some() { changed(); }
                    });
                    view! {
                        <div class="member" data-member=member.display_name.clone()>
                            <h3>{member.display_name.clone()}</h3>
                            <ChoiceChips label=t.capacity options=t.capacities() selected=capacity/>
                            <label class="choice"><input type="checkbox" data-testid="will-attend" prop:checked=move || planned.get() on:change=move |ev| { planned.set(event_target_checked(&ev)); changed(); }/><span>{t.will_attend}</span></label>
                            <label class="choice"><input type="checkbox" data-testid="attended" prop:checked=move || attended.get() on:change=move |ev| { attended.set(event_target_checked(&ev)); changed(); }/><span>{t.attended}</span></label>
                            <details>
                                <summary>{t.prep}</summary>
                                <textarea rows="3" aria-label=t.prep prop:value=move || prep.get() on:input=move |ev| prep.set(event_target_value(&ev)) on:change=move |_| changed()></textarea>
                            </details>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn ItemsPanel(meeting: Meeting, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let title = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let taken_by = RwSignal::new(String::new());
    let worries = RwSignal::new(Vec::<String>::new());
    let title_err = RwSignal::new(None);
    let m = meeting.clone();
    let raise = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if title.get().trim().is_empty() {
            title_err.set(Some(t.p_required));
            return;
        }
        title_err.set(None);
        let (Some(iid), Some(uid), Some(me)) = (state::new_id(app), state::new_id(app), app.me.get_untracked()) else { return };
        let date = m.date.unwrap_or(now_jst().date);
        let item = vec![
            ("body".into(), json!(m.body)),
            ("meetings".into(), json!([m.id.to_string()])),
            ("title".into(), json!(title.get().trim())),
            ("detail".into(), json!(detail.get())),
            ("worries".into(), json!(worries.get())),
            ("raised_by".into(), json!(me.user.to_string())),
            ("raised_by_name".into(), json!(me.display_name)),
            ("taken_by".into(), json!(taken_by.get().trim())),
        ];
        let update = vec![("item".into(), json!(iid.to_string())), ("meeting".into(), json!(m.id.to_string())), ("date".into(), json!(date.to_string())), ("status".into(), json!("accepted"))];
        spawn_local(async move {
            if put(app, Collection::Item, iid.clone(), item).await && put(app, Collection::ItemUpdate, uid, update).await {
                title.set(String::new());
                detail.set(String::new());
                taken_by.set(String::new());
                worries.set(Vec::new());
            }
        });
    };
    let mid = meeting.id.clone();
    let m2 = meeting.clone();
    view! {
        <section class="card" data-testid="items">
            <h2>{t.items_title}</h2>
            <ul class="rows" data-testid="item-list">
                {move || d.items.get().into_iter().filter(|i| i.meetings.contains(&mid)).map(|i| view! {
                    <li><a href=format!("#/item/{}", i.id)><strong>{i.title.clone()}</strong></a><span class="tag" data-testid="item-status">{t.item_status(i.status())}</span></li>
                }).collect_view()}
            </ul>
            <Homework meeting=m2 d/>
            <details>
                <summary data-testid="new-item">{t.new_item}</summary>
                <form on:submit=raise novalidate>
                    <TextField label=t.item_title value=title error=title_err testid="item-title"/>
                    <MultiChips label=t.worries options=t.worry_options(Worry::ALL) selected=worries testid="item-worries"/>
                    <TextArea label=t.item_detail value=detail rows=3/>
                    <TextField label=t.taken_by value=taken_by testid="item-taken-by"/>
                    <button type="submit" class="button" data-testid="save-item">{t.save}</button>
                </form>
            </details>
        </section>
    }
}

#[component]
fn Homework(meeting: Meeting, d: Data) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    view! {
        <div class="homework" data-testid="homework">
            <h3>{t.homework_title}</h3>
            {move || {
                let meetings = d.meetings.get();
                let items = d.items.get();
                let list: Vec<Item> = meeting::homework(&meeting, &meetings, &items).into_iter().cloned().collect();
                if list.is_empty() {
                    return view! { <p class="hint">{t.homework_none}</p> }.into_any();
                }
                list.into_iter().map(|item| {
                    let m = meeting.clone();
                    let carry = {
                        let item = item.clone();
                        move |_| {
                            let (Some(fields), Some(uid)) = (item.carry_to(&m.id), state::new_id(app)) else { return };
                            let date = m.date.unwrap_or(now_jst().date);
                            let update = vec![("item".into(), json!(item.id.to_string())), ("meeting".into(), json!(m.id.to_string())), ("date".into(), json!(date.to_string())), ("status".into(), json!("carried")), ("note".into(), json!(t.carried_note))];
                            let iid = item.id.clone();
                            spawn_local(async move {
                                if put(app, Collection::Item, iid, fields).await {
                                    put(app, Collection::ItemUpdate, uid, update).await;
                                }
                            });
                        }
                    };
                    view! {
                        <p class="homework-item">
                            <a href=format!("#/item/{}", item.id)>{item.title.clone()}</a>" "<span class="tag">{t.item_status(item.status())}</span>" "
                            <button type="button" class="button secondary small" data-testid="carry" on:click=carry>{t.carry_here}</button>
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
    let d = data(app);
    let item = {
        let id = id.clone();
        Memo::new(move |_| d.items.with(|all| all.iter().find(|i| i.id == id).cloned()))
    };
    if item.get_untracked().is_none() {
        return view! { <h1>{t.items_title}</h1><p class="empty">{t.not_found}</p> }.into_any();
    }
    let status = RwSignal::new(Some("considering".to_owned()));
    // An update belongs to the item's latest meeting: by default its date.
    let latest_date = item.get_untracked().and_then(|i| {
        let last = i.meetings.last()?.clone();
        d.meetings.with_untracked(|ms| ms.iter().find(|m| m.id == last).and_then(|m| m.date))
    });
    let date = RwSignal::new(latest_date.map_or(now_jst().date, |d| d.max(now_jst().date)).to_string());
    let note = RwSignal::new(String::new());
    let iid = id.clone();
    let record_update = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(uid), Ok(day)) = (state::new_id(app), Date::parse(&date.get())) else { return };
        let latest_meeting = item.get_untracked().and_then(|i| i.meetings.last().cloned());
        let fields = vec![
            ("item".into(), json!(iid.to_string())),
            ("meeting".into(), latest_meeting.map_or(Value::Null, |m| json!(m.to_string()))),
            ("date".into(), json!(day.to_string())),
            ("status".into(), json!(status.get())),
            ("note".into(), json!(note.get())),
        ];
        spawn_local(async move {
            if put(app, Collection::ItemUpdate, uid, fields).await {
                note.set(String::new());
            }
        });
    };
    let meeting_name = move |mid: &RecordId| d.meetings.with(|ms| ms.iter().find(|m| &m.id == mid).map(|m| format!("{} {}", meeting_label(t, m), m.body)).unwrap_or_default());
    view! {
        {move || item.get().map(|i| view! {
            <h1>{i.title.clone()}</h1>
            <p><span class="tag" data-testid="current-status">{t.item_status(i.status())}</span></p>
            <section class="card">
                <p><strong>{t.raised_at}</strong>"："{i.meetings.iter().map(meeting_name).collect::<Vec<_>>().join(" → ")}</p>
                <p><strong>{t.raised_by}</strong>"："{i.raised_by_name.clone()}" · "<strong>{t.taken_by}</strong>"："{i.taken_by.clone()}</p>
                <p>{i.worries.iter().map(|w| t.worry(*w)).collect::<Vec<_>>().join("・")}</p>
                {(!i.detail.is_empty()).then(|| view! { <p class="prewrap">{i.detail.clone()}</p> })}
            </section>
            <section class="card" data-testid="history">
                <h2>{t.history_title}</h2>
                <ol class="history">
                    {i.history.iter().map(|u| view! {
                        <li><strong>{t.date(u.date)}</strong>" "{t.item_status(&u.status)}{(!u.note.is_empty()).then(|| format!("（{}）", u.note))}</li>
                    }).collect_view()}
                </ol>
            </section>
            {i.evidence.clone().map(|s| view! { <section class="card" data-testid="attached-evidence"><h2>{t.evidence_attached}</h2><EvidenceTable snapshot=s/></section> })}
        })}
        <form class="card" on:submit=record_update data-testid="update-form">
            <h2>{t.add_update}</h2>
            <ChoiceChips label=t.item_status options=t.item_statuses() selected=status can_clear=false testid="update-status"/>
            <TextField label=t.date value=date kind="date"/>
            <TextArea label=t.update_note value=note rows=2/>
            <button type="submit" class="button" data-testid="save-update">{t.save}</button>
        </form>
        <EvidencePanel id/>
    }
    .into_any()
}

#[component]
fn EvidenceTable(snapshot: Snapshot) -> impl IntoView {
    let t = use_texts();
    let rows = |list: &[(String, ShownCount)], label: fn(&'static Texts, &str) -> String| {
        list.iter().map(|(k, c)| view! { <tr><th>{label(t, k)}</th><td>{t.shown_count(*c)}</td></tr> }).collect_view()
    };
    let worry = |t: &'static Texts, id: &str| Worry::from_id(id).map_or_else(|| evidence::worry_label_ja(id).to_owned(), |w| t.worry(w).to_owned());
    let mode = |t: &'static Texts, id: &str| t.mode_label(id).to_owned();
    view! {
        <p class="hint">{t.ev_period}"："{snapshot.from.to_string()}" 〜 "{snapshot.to.to_string()}
            {snapshot.area.map(|a| format!(" · {}", nimo_core::area::full_name(a)))}</p>
        <table class="counts evidence" data-testid="evidence-table">
            <tbody>
                <tr><th>{t.ev_contacts}</th><td>{t.shown_count(snapshot.contacts)}</td></tr>
                <tr><th colspan="2">{t.ev_worries}</th></tr>
                {rows(&snapshot.worries, worry)}
                <tr><th colspan="2">{t.ev_modes}</th></tr>
                {rows(&snapshot.modes, mode)}
                <tr><th colspan="2">{t.ev_not_connected}</th></tr>
                {rows(&snapshot.not_connected, worry)}
                <tr><th colspan="2">{t.ev_unmet}</th></tr>
                {rows(&snapshot.unmet, worry)}
            </tbody>
        </table>
    }
}

/// Counts from the group's shared contacts for a period and an area, and
/// one tap to attach them to the item.
#[component]
fn EvidencePanel(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let today = now_jst().date;
    let from = RwSignal::new(today.add_days(-90).to_string());
    let to = RwSignal::new(today.to_string());
    let area = RwSignal::new(None::<String>);
    let attached = RwSignal::new(None::<String>);
    let snapshot = Memo::new(move |_| {
        let (Ok(f), Ok(tt)) = (Date::parse(&from.get()), Date::parse(&to.get())) else { return None };
        let group = app.group.get();
        let contacts: Vec<Contact> = app.cache.with(Collection::Contact, |m| m.values().filter(|r| Some(&r.group) == group.as_ref()).filter_map(Contact::from_record).collect());
        let code = area.get().and_then(|a| nimo_core::area::AreaCode::parse(&a).ok());
        Some(evidence::compute(&contacts, f, tt, code, today))
    });
    let attach = move |_| {
        let Some(snap) = snapshot.get_untracked() else { return };
        let Ok(value) = serde_json::to_value(&snap) else { return };
        let id = id.clone();
        spawn_local(async move {
            if put(app, Collection::Item, id, vec![("evidence".into(), value)]).await {
                attached.set(Some(t.saved_local.to_owned()));
            }
        });
    };
    view! {
        <section class="card" data-testid="evidence">
            <h2>{t.evidence_title}</h2>
            <p class="hint">{t.evidence_lead}</p>
            <div class="two">
                <TextField label=t.evidence_from value=from kind="date"/>
                <TextField label=t.evidence_to value=to kind="date"/>
            </div>
            <AreaPicker label=t.area selected=area/>
            {move || snapshot.get().map(|s| view! { <EvidenceTable snapshot=s/> })}
            <Notice message=attached kind="info"/>
            <button type="button" class="button" data-testid="attach-evidence" on:click=attach>{t.evidence_attach}</button>
        </section>
    }
}

/// 年度の報告: printable, and as CSV.
#[component]
pub fn Report() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let d = data(app);
    let current = now_jst().date.fiscal_year();
    let year = RwSignal::new(Some(current.0.to_string()));
    let years = move || {
        let mut ys: Vec<i32> = d.meetings.with(|ms| ms.iter().filter_map(|m| m.date.map(|x| x.fiscal_year().0)).collect());
        ys.push(current.0);
        ys.sort();
        ys.dedup();
        ys
    };
    let report = Memo::new(move |_| {
        let fy = FiscalYear(year.get().and_then(|y| y.parse().ok()).unwrap_or(current.0));
        meeting::year_report(fy, &d.meetings.get(), &d.attendance.get(), &d.items.get())
    });
    let csv = move |_| {
        let r = report.get_untracked();
        let label = r.year.map(|y| y.0).unwrap_or(current.0);
        download(&format!("nimo-report-{label}.csv"), "text/csv;charset=utf-8", meeting::year_report_csv(&r).as_bytes());
    };
    let year_options: Vec<(&'static str, &'static str)> = years().into_iter().map(|y| year_label(t, y)).collect();
    view! {
        <h1>{t.year_report_title}</h1>
        <div class="no-print">
            <ChoiceChips label=t.fiscal_year options=year_options selected=year can_clear=false testid="fiscal-year"/>
            <div class="buttons">
                <button type="button" class="button" on:click=|_| { let _ = window().print(); }>{t.print}</button>
                <button type="button" class="button secondary" data-testid="report-csv" on:click=csv>{t.report_csv}</button>
            </div>
        </div>
        {move || {
            let r = report.get();
            view! {
                <section class="report-section" data-testid="report">
                    <h2>{r.year.map(|y| if t.is_ja() { y.label_ja() } else { format!("FY{}", y.0) })}" — "{t.meetings_by_level}</h2>
                    <table class="counts">
                        <thead><tr><th>{t.meeting_level}</th><th>{t.count_held}</th><th>{t.count_planned}</th><th>{t.count_cancelled}</th></tr></thead>
                        <tbody>{r.meetings_by_level.iter().map(|(l, (h, p, c))| view! { <tr><th>{t.meeting_level(l)}</th><td>{*h}</td><td>{*p}</td><td>{*c}</td></tr> }).collect_view()}</tbody>
                    </table>
                    <h2>{t.attendance_by_member}</h2>
                    <table class="counts">
                        <thead><tr><th>{t.members_title}</th><th>{t.will_attend}</th><th>{t.count_attended}</th></tr></thead>
                        <tbody>{r.attendance.iter().map(|(n, (p, a))| view! { <tr><th>{n.clone()}</th><td>{*p}</td><td>{*a}</td></tr> }).collect_view()}</tbody>
                    </table>
                    <h2>{t.items_by_status}</h2>
                    <p>{r.items_by_status.iter().map(|(s, n)| format!("{} {}", t.item_status(s), t.count(*n as usize))).collect::<Vec<_>>().join("・")}</p>
                    <table class="counts">
                        <tbody>{r.items.iter().map(|(date, body, title, status)| view! { <tr><td>{date.to_string()}</td><td>{body.clone()}</td><th>{title.clone()}</th><td>{t.item_status(status)}</td></tr> }).collect_view()}</tbody>
                    </table>
                </section>
            }
        }}
    }
}

thread_local! {
    static YEAR_LABELS: std::cell::RefCell<std::collections::HashMap<(i32, bool), (&'static str, &'static str)>> = Default::default();
}

/// A fiscal year as chip value and label. Chips take `&'static str`; each
/// year's pair is made once per language and kept (a few bytes per year).
fn year_label(t: &'static Texts, year: i32) -> (&'static str, &'static str) {
    YEAR_LABELS.with(|cache| {
        *cache.borrow_mut().entry((year, t.is_ja())).or_insert_with(|| {
            let value: &'static str = Box::leak(year.to_string().into_boxed_str());
            let label = if t.is_ja() { FiscalYear(year).label_ja() } else { format!("FY{year}") };
            (value, Box::leak(label.into_boxed_str()))
        })
    })
}
