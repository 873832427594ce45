//! 設定: sync status, account and groups, devices, the group's members and
//! invites (coordinators), the app lock, storage, language.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::api::{DeviceInfo, InviteCreated, InviteInfo, MemberInfo, format_invite_code};
use nimo_core::contacts::profile::Profile;
use nimo_core::schema::{Doc, Problems, Section, Typed};
use nimo_core::sync::client::{Change, ChangeKind, TransportError};
use nimo_core::sync::collection::{Collection, Role, Visibility};

use crate::components::{ChoiceChips, Notice, QrCode, TextField, confirm, copy_text};
use crate::form::fields::Fields;
use crate::form::{FormState, ProblemSummary};
use crate::i18n::{Lang, Texts, use_i18n, use_texts};
use crate::platform::js;
use crate::state::sync::{self, Problem};
use crate::state::account::{self, AccountError};
use crate::state::{api, device, session, use_app};

#[component]
pub fn Settings() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    view! {
        <h1>{t.settings_title}</h1>
        <SyncPanel/>
        <GroupKeyPanel/>
        <AccountPanel/>
        <ProfilePanel/>
        <PassphrasePanel/>
        <DevicesPanel/>
        <Show when=move || app.is_coordinator()>
            <MembersPanel/>
            <InvitesPanel/>
        </Show>
        <Show when=move || !app.is_coordinator()>
            <MembersPanel/>
        </Show>
        <LockPanel/>
        <StoragePanel/>
        <LanguagePanel/>
        <section class="card">
            <h2>{t.about}</h2>
            <p>{t.version} " " {env!("CARGO_PKG_VERSION")}</p>
            <p class="hint">{t.data_sources}</p>
        </section>
    }
}

#[component]
fn SyncPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let s = app.sync;
    let problem = move || {
        s.problem.get().map(|p| match p {
            Problem::Offline => t.sync_offline.to_owned(),
            Problem::Outdated => t.err_outdated.to_owned(),
            Problem::StorageFull => t.err_storage_full.to_owned(),
            Problem::ServerFull => t.err_server_full.to_owned(),
            Problem::KeysBehind => t.err_keys_behind.to_owned(),
            Problem::Other(m) => format!("{} ({m})", t.err_server),
        })
    };
    view! {
        <section class="card" data-testid="sync-panel">
            <h2>{t.sync_title}</h2>
            <p>
                {t.last_sync} "："
                <span data-testid="last-sync">{move || s.last_ok.get().map(|ms| t.moment(ms)).unwrap_or_else(|| t.never.to_owned())}</span>
            </p>
            <p data-testid="unsent-count">
                {move || { let n = s.unsent.get(); if n == 0 { t.all_sent.to_owned() } else { t.unsent(n) } }}
            </p>
            {move || problem().map(|m| view! { <p class="notice warning" role="status">{m}</p> })}
            <button class="button" data-testid="sync-now" disabled=move || s.running.get() on:click=handler::click(move |_| sync::sync_now(app))>
                {move || if s.running.get() { t.syncing } else { t.sync_now }}
            </button>
            <Show when=move || !s.rejected.with(Vec::is_empty)>
                <h3>{t.rejected_title}</h3>
                <p class="hint">{t.rejected_lead}</p>
                <ul class="rejected" data-testid="rejected">
                    {move || s.rejected.get().into_iter().rev().map(|r| {
                        let text = match &r.mutation.op {
                            nimo_core::sync::protocol::Op::Put { fields, .. } => fields.iter().filter_map(|f| f.v.as_str().map(str::to_owned)).collect::<Vec<_>>().join(" / "),
                            nimo_core::sync::protocol::Op::Delete { .. } => "（削除 / delete）".to_owned(),
                            nimo_core::sync::protocol::Op::Resolve { .. } => String::new(),
                        };
                        view! { <li><p>{text}</p><p class="hint">{t.refused(r.error)}</p></li> }
                    }).collect_view()}
                </ul>
            </Show>
            <Show when=move || !s.unreadable.with(Vec::is_empty)>
                <h3>{t.unreadable_title}</h3>
                <p class="hint">{t.unreadable_lead}</p>
                <ul class="rejected" data-testid="unreadable">
                    {move || s.unreadable.get().into_iter().rev().map(|u| {
                        let href = format!("#/record/{}/{}", u.collection.id(), u.id);
                        view! { <li><p><a href=href>{t.collection_name(u.collection)}</a>" · "{t.field_label(u.collection, &u.field)}</p><p class="hint">{t.unreadable_why(&u.why)}</p></li> }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn AccountPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let code = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code_now = code.get();
        spawn_local(async move {
            match account::join_group(app, &code_now).await {
                Ok(_) => {
                    code.set(String::new());
                    failure.set(None);
                    sync::sync_now(app);
                }
                Err(e) => failure.set(Some(t.account_error(&e))),
            }
        });
    };
    let sign_out = move |_| {
        let unsent = app.sync.unsent.get_untracked();
        let message = if unsent > 0 { format!("{}\n{}", t.sign_out_unsent, t.unsent(unsent)) } else { t.sign_out_warning.to_owned() };
        if confirm(&message) {
            spawn_local(session::sign_out(app));
        }
    };
    let groups = move || app.me.get().map(|me| me.groups).unwrap_or_default();
    view! {
        <section class="card">
            <h2>{t.account}</h2>
            {move || app.me.get().map(|me| view! {
                <p><strong>{me.display_name}</strong>" （"{me.login}"）"</p>
            })}
            <fieldset class="plain">
                <legend>{t.current_group}</legend>
                {move || groups().into_iter().map(|g| {
                    let id = g.id.clone();
                    let checked = { let id = id.clone(); move || app.group.get().as_ref() == Some(&id) };
                    view! {
                        <label class="choice">
                            <input type="radio" name="group" prop:checked=checked on:change=handler::change(move |_| session::set_group(app, id.clone()))/>
                            <span>{g.name}" — "{t.role(g.role)}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <form on:submit=handler::submit(join)>
                <h3>{t.join_group_title}</h3>
                <Notice message=failure/>
                <TextField label=t.invite_code value=code hint=t.invite_code_hint autocomplete="off"/>
                <button type="submit" class="button secondary">{t.join_group_button}</button>
            </form>
            <hr/>
            <button type="button" class="button danger" data-testid="sign-out" on:click=handler::click(sign_out)>{t.sign_out}</button>
        </section>
    }
}

/// 研修修了・選任: recorded once; a 病院訪問 asks for it first.
#[component]
fn ProfilePanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let current = move || {
        let (group, user) = (app.group.get()?, app.user()?);
        let id = Profile::id(&group, &user);
        Some((id.clone(), app.cache.get(Collection::Profile, &id).as_ref().and_then(Doc::<Profile>::from_record).map(|d| d.data).unwrap_or_default()))
    };
    let start = current().map(|(_, p)| p).unwrap_or_default();
    let form = FormState::new(&Profile::SCHEMA, &start.to_inputs());
    let saved = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let profile = match Profile::from_inputs(&form.values_untracked()) {
            Ok(p) => p,
            Err(p) => {
                form.show(p);
                return;
            }
        };
        form.show(Problems::new());
        let (Some(group), Some((id, _))) = (app.group.get_untracked(), current()) else { return };
        spawn_local(async move {
            let change = Change { collection: Collection::Profile, id, group, kind: ChangeKind::put(Some(Visibility::Group), profile.changes()) };
            if api::save(app, change).await.is_some() {
                saved.set(Some(t.saved.to_owned()));
            }
        });
    };
    view! {
        <form class="card" id="profile" on:submit=handler::submit(save) novalidate data-testid="profile-panel">
            <h2>{t.profile_title}</h2>
            <p class="hint">{t.profile_lead}</p>
            <ProblemSummary form/>
            <Notice message=saved kind="info"/>
            <Fields form section=Section::Quick/>
            <button type="submit" class="button secondary" data-testid="save-profile">{t.save}</button>
        </form>
    }
}

/// Changing one's passphrase; the server signs out the other devices.
#[component]
fn PassphrasePanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let new2 = RwSignal::new(String::new());
    let new_error = RwSignal::new(None::<&'static str>);
    let again_error = RwSignal::new(None::<&'static str>);
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The new passphrase is judged here: the estimate loads once one is typed.
    crate::screens::welcome::prefetch_strength_once_typed(new);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let login = app.me.get_untracked().map(|m| m.login).unwrap_or_default();
        let problem = nimo_core::base::passphrase::quick_check(&new.get_untracked(), &login).err();
        new_error.set(problem.map(|p| t.passphrase_problem(p)));
        again_error.set((new.get_untracked() != new2.get_untracked()).then_some(t.passphrase_mismatch));
        if new_error.get_untracked().is_some() || again_error.get_untracked().is_some() {
            return;
        }
        busy.set(true);
        let (cur, next) = (current.get_untracked(), new.get_untracked());
        spawn_local(async move {
            match account::change_passphrase(app, &cur, &next).await {
                Ok(()) => {
                    failure.set(None);
                    done.set(Some(t.passphrase_changed.to_owned()));
                    current.set(String::new());
                    new.set(String::new());
                    new2.set(String::new());
                }
                Err(AccountError::Weak(p)) => new_error.set(Some(t.passphrase_problem(p))),
                Err(e) => failure.set(Some(t.account_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" on:submit=handler::submit(submit) novalidate data-testid="passphrase-panel">
            <h2>{t.passphrase_title}</h2>
            <p class="hint">{t.passphrase_lead}</p>
            <Notice message=failure/>
            <Notice message=done kind="info"/>
            <TextField label=t.passphrase_current value=current kind="password" autocomplete="current-password" testid="passphrase-current"/>
            <TextField label=t.passphrase_new value=new kind="password" hint=t.passphrase_hint error=new_error autocomplete="new-password" testid="passphrase-new"/>
            <TextField label=t.passphrase_again value=new2 kind="password" error=again_error autocomplete="new-password" testid="passphrase-new2"/>
            <button type="submit" class="button secondary" data-testid="passphrase-change" disabled=move || busy.get()>{move || if busy.get() { t.making_keys } else { t.passphrase_title }}</button>
        </form>
    }
}

/// Sends one of a panel's requests. Its failure is said in the panel, in
/// the words of `Texts::api_error`: a coordinator who revokes a leaked
/// invite without a connection must not be left believing it is dead. On
/// success the panel's failure is cleared and `then` has the answer.
fn send<T: 'static>(t: &'static Texts, failure: RwSignal<Option<String>>, request: impl Future<Output = Result<T, TransportError>> + 'static, then: impl FnOnce(T) + 'static) {
    spawn_local(async move {
        match request.await {
            Ok(answer) => {
                failure.set(None);
                then(answer);
            }
            Err(e) => failure.set(Some(t.api_error(&e))),
        }
    });
}

#[component]
fn DevicesPanel() -> impl IntoView {
    let t = use_texts();
    let devices = RwSignal::new(Vec::<DeviceInfo>::new());
    let failure = RwSignal::new(None::<String>);
    let load = move || send(t, failure, api::devices(), move |d| devices.set(d));
    load();
    view! {
        <section class="card" data-testid="devices">
            <h2>{t.devices_title}</h2>
            <Notice message=failure kind="warning"/>
            <ul class="rows">
                {move || devices.get().into_iter().map(|d| {
                    let id = d.id.clone();
                    let revoke = move |_| {
                        if confirm(t.revoke_device_confirm) {
                            let id = id.clone();
                            send(t, failure, async move { api::revoke_device(&id).await }, move |()| load());
                        }
                    };
                    view! {
                        <li data-device=d.id.to_string()>
                            <span>
                                <strong>{d.name}</strong>
                                {d.current.then(|| view! { " （" {t.this_device} "）" })}
                                <br/><small>{t.moment(d.last_seen_ms)}</small>
                            </span>
                            {(!d.current).then(|| view! { <button class="button secondary" on:click=handler::click(revoke)>{t.revoke_device}</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn MembersPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let members = RwSignal::new(Vec::<MemberInfo>::new());
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        let Some(group) = app.group.get_untracked() else { return };
        send(t, failure, async move { api::members(&group).await }, move |m| members.set(m));
    };
    handler::effect(move |_| {
        app.group.track();
        load();
    });
    let me = move || app.me.get().map(|m| m.user);
    view! {
        <section class="card" data-testid="members">
            <h2>{t.members_title}</h2>
            <Notice message=failure kind="warning"/>
            <Notice message=done kind="info"/>
            <p class="hint">{t.fingerprint_lead}</p>
            <ul class="rows">
                {move || members.get().into_iter().map(|m| {
                    let coordinator = app.is_coordinator();
                    let is_me = me().as_ref() == Some(&m.id);
                    let (id1, id2) = (m.id.clone(), m.id.clone());
                    let remove = move |_| {
                        if !confirm(t.remove_member_confirm) { return; }
                        let (Some(group), id) = (app.group.get_untracked(), id1.clone()) else { return };
                        busy.set(true);
                        spawn_local(async move {
                            match account::remove_member(app, &group, &id).await {
                                Ok(()) => {
                                    failure.set(None);
                                    done.set(Some(t.member_removed.to_owned()));
                                    load();
                                }
                                Err(e) => failure.set(Some(t.account_error(&e))),
                            }
                            busy.set(false);
                        });
                    };
                    let role = m.role;
                    let toggle = move |_| {
                        let (Some(group), id) = (app.group.get_untracked(), id2.clone()) else { return };
                        let next = if role == Role::Coordinator { Role::Member } else { Role::Coordinator };
                        send(t, failure, async move { api::set_role(&group, &id, next).await }, move |()| load());
                    };
                    // A member's profile (their training) is the group's to read.
                    let profile = app.group.get().map(|g| nimo_core::contacts::profile::Profile::id(&g, &m.id)).filter(|p| app.cache.get(Collection::Profile, p).is_some());
                    // The safety number: the same digits on every phone that
                    // holds the same key for this member (compare them in person).
                    let number = RwSignal::new(None::<String>);
                    if let Some(key) = m.public_key.clone() {
                        spawn_local(async move { number.set(crate::state::keys::fingerprint(&key).await) });
                    }
                    view! {
                        <li>
                            <span><strong>{m.display_name}</strong><br/><small>{t.role(role)}</small>
                                {move || number.get().map(|n| view! { <br/><small class="fingerprint" data-testid="fingerprint">{t.fingerprint}"："{n}</small> })}
                                {profile.map(|p| view! { <br/><a href=format!("#/record/profile/{p}")>{t.profile_view}</a> })}
                            </span>
                            {(coordinator && !is_me).then(|| view! {
                                <span class="actions">
                                    <button class="button secondary" on:click=handler::click(toggle)>
                                        {move || if role == Role::Coordinator { t.make_member } else { t.make_coordinator }}
                                    </button>
                                    <button class="button danger" disabled=move || busy.get() on:click=handler::click(remove)>{t.remove_member}</button>
                                </span>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn InvitesPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let invites = RwSignal::new(Vec::<InviteInfo>::new());
    // The new invite and its code, which exists only on this phone.
    let created = RwSignal::new(None::<(InviteCreated, String)>);
    let busy = RwSignal::new(false);
    // Re-admitting a member who lost their passphrase and recovery key.
    let readmit = RwSignal::new(None::<String>);
    let members = sync::members(app);
    let failure = RwSignal::new(None::<String>);
    let role = RwSignal::new(Some("member".to_owned()));
    let days = RwSignal::new("7".to_owned());
    let uses = RwSignal::new("1".to_owned());
    let copied = RwSignal::new(false);
    let load = move || {
        let Some(group) = app.group.get_untracked() else { return };
        send(t, failure, async move { api::invites(&group).await }, move |list| invites.set(list));
    };
    handler::effect(move |_| {
        app.group.track();
        load();
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(group) = app.group.get_untracked() else { return };
        let role = if role.get().as_deref() == Some("coordinator") { Role::Coordinator } else { Role::Member };
        let (days, max_uses) = (days.get().trim().parse().unwrap_or(0), uses.get().trim().parse().unwrap_or(0));
        let readmit = readmit.get().and_then(|id: String| nimo_core::sync::ids::UserId::parse(&id).ok());
        busy.set(true);
        spawn_local(async move {
            match account::create_invite(app, &group, role, days, max_uses, readmit).await {
                Ok(made) => {
                    failure.set(None);
                    created.set(Some(made));
                    copied.set(false);
                    load();
                }
                Err(e) => failure.set(Some(t.account_error(&e))),
            }
            busy.set(false);
        });
    };
    // The code rides after `#`, which a browser never sends: the server
    // answers `/join` with a form that shows at once on a phone that has
    // never loaded nimo (server::assets::join), and never sees the code.
    let link = move |code: &str| format!("{}/join#{}", window().location().origin().unwrap_or_default(), format_invite_code(code));

    view! {
        <section class="card" data-testid="invites">
            <h2>{t.invites_title}</h2>
            <Notice message=failure/>
            <form on:submit=handler::submit(create)>
                <h3>{t.new_invite}</h3>
                <ChoiceChips
                    label=t.invite_role
                    options=vec![("member", t.role_member), ("coordinator", t.role_coordinator)]
                    selected=role
                    can_clear=false
                />
                <TextField label=t.invite_days value=days kind="number" inputmode="numeric"/>
                <TextField label=t.invite_uses value=uses kind="number" inputmode="numeric"/>
                <details class="readmit">
                    <summary>{t.readmit_title}</summary>
                    <p class="hint">{t.readmit_lead}</p>
                    <label class="field">
                        <span>{t.readmit_who}</span>
                        <select data-testid="readmit-member" on:change=handler::change(move |ev| {
                            let v = event_target_value(&ev);
                            readmit.set((!v.is_empty()).then_some(v));
                        })>
                            <option value="">{t.readmit_nobody}</option>
                            {move || members.get().into_iter().map(|m| view! { <option value=m.id.to_string()>{m.display_name}</option> }).collect_view()}
                        </select>
                    </label>
                </details>
                <button type="submit" class="button" data-testid="create-invite" disabled=move || busy.get()>{move || if busy.get() { t.making_keys } else { t.new_invite }}</button>
            </form>
            {move || created.get().map(|(_, code)| {
                let url = link(&code);
                let url2 = url.clone();
                view! {
                    <div class="invite" data-testid="new-invite">
                        <p class="notice info">{t.invite_created}</p>
                        <p class="code" data-testid="invite-code">{format_invite_code(&code)}</p>
                        <p>{t.invite_link}"："<a href=url.clone() data-testid="invite-link">{url.clone()}</a></p>
                        <QrCode text=url2.clone() testid="invite-qr"/>
                        <button type="button" class="button secondary" on:click=handler::click(move |_| {
                            let url = url2.clone();
                            spawn_local(async move { copied.set(copy_text(&url).await); });
                        })>{move || if copied.get() { t.copied } else { t.copy }}</button>
                    </div>
                }
            })}
            <ul class="rows">
                {move || invites.get().into_iter().map(|inv| {
                    let now = js::now_ms();
                    let state = if inv.revoked { t.invite_state_revoked } else if inv.uses >= inv.max_uses { t.invite_state_used } else if inv.expires_ms <= now { t.invite_state_expired } else { t.invite_state_live };
                    let live = !inv.revoked && inv.uses < inv.max_uses && inv.expires_ms > now;
                    let id = inv.id.clone();
                    let revoke = move |_| {
                        let (Some(group), id) = (app.group.get_untracked(), id.clone()) else { return };
                        send(t, failure, async move { api::revoke_invite(&group, &id).await }, move |()| load());
                    };
                    view! {
                        <li>
                            <span>{t.role(inv.role)}" · "{state}" · "{inv.uses}"/"{inv.max_uses}<br/><small>{t.moment(inv.expires_ms)}</small></span>
                            {live.then(|| view! { <button class="button secondary" on:click=handler::click(revoke)>{t.revoke_invite}</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn LockPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let pin = RwSignal::new(String::new());
    let pin2 = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let idle = RwSignal::new(Some("5".to_owned()));
    handler::effect(move |_| {
        if let Some(config) = app.lock.get() {
            idle.set(Some(config.idle_minutes.to_string()));
        }
    });
    let lock_error = move |e: session::LockError| match e {
        session::LockError::WrongPin => t.wrong_pin.to_owned(),
        session::LockError::TooShort => t.pin_too_short.to_owned(),
        session::LockError::Failed(m) => m,
    };
    let reset = move || {
        pin.set(String::new());
        pin2.set(String::new());
        current.set(String::new());
    };
    let enable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get() != pin2.get() {
            failure.set(Some(t.pin_mismatch.to_owned()));
            return;
        }
        busy.set(true);
        let minutes = idle.get().and_then(|m| m.parse().ok()).unwrap_or(5);
        spawn_local(async move {
            match session::enable_lock(app, &pin.get_untracked(), minutes).await {
                Ok(()) => {
                    failure.set(None);
                    message.set(Some(t.saved.to_owned()));
                    reset();
                }
                Err(e) => failure.set(Some(lock_error(e))),
            }
            busy.set(false);
        });
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get() != pin2.get() {
            failure.set(Some(t.pin_mismatch.to_owned()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match session::change_pin(app, &current.get_untracked(), &pin.get_untracked()).await {
                Ok(()) => {
                    failure.set(None);
                    message.set(Some(t.saved.to_owned()));
                    reset();
                }
                Err(e) => failure.set(Some(lock_error(e))),
            }
            busy.set(false);
        });
    };
    let disable = move |_| {
        busy.set(true);
        spawn_local(async move {
            match session::disable_lock(app, &current.get_untracked()).await {
                Ok(()) => {
                    failure.set(None);
                    message.set(Some(t.saved.to_owned()));
                    reset();
                }
                Err(e) => failure.set(Some(lock_error(e))),
            }
            busy.set(false);
        });
    };
    Effect::new(move |prev: Option<Option<String>>| {
        let now = idle.get();
        if let (Some(Some(_)), Some(m)) = (prev, now.as_ref())
            && app.lock.get_untracked().is_some()
        {
            let minutes = m.parse().unwrap_or(5);
            spawn_local(session::set_idle_minutes(app, minutes));
        }
        now
    });
    let minutes = move || {
        vec![
            ("1", t.minutes_1),
            ("5", t.minutes_5),
            ("15", t.minutes_15),
            ("30", t.minutes_30),
        ]
    };
    view! {
        <section class="card" data-testid="lock-panel">
            <h2>{t.lock_settings}</h2>
            <p>{t.lock_settings_lead}</p>
            <p><strong>{move || if app.lock.get().is_some() { t.lock_on } else { t.lock_off }}</strong></p>
            <Notice message=failure/>
            <Notice message=message kind="info"/>
            <ChoiceChips label=t.idle_minutes options=minutes() selected=idle can_clear=false/>
            {move || if app.lock.get().is_none() {
                view! {
                    <form on:submit=handler::submit(enable)>
                        <TextField label=t.new_pin value=pin kind="password" autocomplete="new-password" testid="new-pin"/>
                        <TextField label=t.new_pin_again value=pin2 kind="password" autocomplete="new-password" testid="new-pin2"/>
                        <button type="submit" class="button" data-testid="enable-lock" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.lock_enable }}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button" data-testid="lock-now" on:click=handler::click(move |_| session::lock_now(app))>{t.lock_now}</button>
                    <form on:submit=handler::submit(change)>
                        <h3>{t.lock_change}</h3>
                        <TextField label=t.current_pin value=current kind="password" autocomplete="current-password"/>
                        <TextField label=t.new_pin value=pin kind="password" autocomplete="new-password"/>
                        <TextField label=t.new_pin_again value=pin2 kind="password" autocomplete="new-password"/>
                        <button type="submit" class="button secondary" disabled=move || busy.get()>{t.lock_change}</button>
                    </form>
                    <button type="button" class="button danger" disabled=move || busy.get() on:click=handler::click(disable)>{t.lock_disable}</button>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn StoragePanel() -> impl IntoView {
    let t = use_texts();
    let persisted = RwSignal::new(None::<bool>);
    spawn_local(async move { persisted.set(device::is_persisted().await) });
    let ios = window().navigator().user_agent().unwrap_or_default().contains("iPhone");
    view! {
        <section class="card">
            <h2>{t.storage_title}</h2>
            <p data-testid="persisted">{move || match persisted.get() { Some(true) => t.persisted_yes, Some(false) => t.persisted_no, None => t.persisted_unknown }}</p>
            {ios.then(|| view! { <p class="notice warning">{t.ios_hint}</p> })}
        </section>
    }
}

#[component]
fn LanguagePanel() -> impl IntoView {
    let i18n = use_i18n();
    let choice = move |lang: Lang, label: fn(&Texts) -> &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="lang" value=lang.code() prop:checked=move || i18n.lang() == lang on:change=handler::change(move |_| i18n.set(lang))/>
                <span>{label(i18n.t_untracked())}</span>
            </label>
        }
    };
    view! {
        <fieldset class="card">
            <legend>{use_texts().language}</legend>
            {choice(Lang::Ja, |t| t.lang_ja)}
            {choice(Lang::En, |t| t.lang_en)}
        </fieldset>
    }
}

/// A group whose key this phone lacks (re-admitted through an invite the
/// server's operator made): the group's recovery key opens it.
#[component]
fn GroupKeyPanel() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let key = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let missing = move || app.group.get().filter(|g| app.keys_missing.with(|m| m.contains(g)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(group) = missing() else { return };
        let text = key.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match account::recover_group(app, &group, &text).await {
                Ok(()) => {
                    key.set(String::new());
                    error.set(None);
                    failure.set(None);
                    sync::sync_now(app);
                }
                Err(AccountError::RecoveryKey) => error.set(Some(t.err_recovery_key)),
                Err(e) => failure.set(Some(t.account_error(&e))),
            }
            busy.set(false);
        });
    };
    move || {
        missing().map(|_| view! {
            <form class="card" on:submit=handler::submit(submit) novalidate data-testid="group-key-missing">
                <h2>{t.group_key_missing_title}</h2>
                <p class="notice warning">{t.group_key_missing_lead}</p>
                <Notice message=failure/>
                <TextField label=t.group_recovery_key value=key error=error autocomplete="off" testid="group-recovery-key"/>
                <button type="submit" class="button" disabled=move || busy.get()>{t.group_recovery_button}</button>
            </form>
        })
    }
}
