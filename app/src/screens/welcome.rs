//! Before anyone is signed in: join with an invite, or sign in.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::api::{JoinRequest, LoginRequest, Me, SetupRequest, normalize_invite_code, normalize_login};

use crate::components::{Notice, TextField};
use crate::i18n::{Lang, use_i18n, use_texts};
use crate::state::{Phase, api, session, use_app};

/// What was typed into the page's own join form before the app arrived
/// (`index.html`): taken over, so nothing typed is lost; the page's form
/// then goes.
fn typed_in_page(id: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let el = document().get_element_by_id(id)?;
    let input = el.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    Some(input.value()).filter(|v| !v.is_empty())
}

/// Removes the page's own join form once the app has taken it over.
pub fn retire_page_form() {
    if let Some(el) = document().get_element_by_id("page-join") {
        el.remove();
    }
}

/// A name for this device from the browser, for the device list.
pub fn default_device_name() -> String {
    let ua = window().navigator().user_agent().unwrap_or_default();
    let name = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else {
        "パソコン"
    };
    name.to_owned()
}

#[component]
pub fn Welcome(#[prop(optional)] again: bool, #[prop(optional)] code: String) -> impl IntoView {
    let t = use_texts();
    let i18n = use_i18n();
    let login = RwSignal::new(again);
    let other = if t.is_ja() { Lang::En } else { Lang::Ja };
    view! {
        <section class="welcome">
            <p class="lang-switch">
                <button type="button" class="link" lang=other.code() on:click=handler::click(move |_| i18n.set(other))>{other.texts().lang_self}</button>
            </p>
            <h1>{t.welcome_title}</h1>
            <p>{t.welcome_lead}</p>
            <p>{t.welcome_body}</p>
            <p class="privacy">{t.welcome_privacy}</p>
            {again.then(|| view! { <p class="notice info">{t.login_again_lead}</p> })}
            {move || if login.get() {
                view! {
                    <LoginForm/>
                    <p class="switch">{t.have_invite} " " <button type="button" class="link" on:click=handler::click(move |_| login.set(false))>{t.join_title}</button></p>
                }.into_any()
            } else {
                view! {
                    <JoinForm code=code.clone()/>
                    <p class="switch">{t.have_account} " " <button type="button" class="link" on:click=handler::click(move |_| login.set(true))>{t.login_title}</button></p>
                }.into_any()
            }}
        </section>
    }
}

async fn finish(app: crate::state::AppState, me: Me, failure: RwSignal<Option<String>>) {
    if let Err(e) = session::signed_in(app, me).await {
        failure.set(Some(e.to_string()));
    }
}

/// Sets `error` to `message` when `bad`, and says whether all is well.
fn check(error: RwSignal<Option<&'static str>>, bad: bool, message: &'static str) -> bool {
    error.set(bad.then_some(message));
    !bad
}

#[component]
fn JoinForm(code: String) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let code = RwSignal::new(typed_in_page("pj-code").unwrap_or(code));
    let login = RwSignal::new(typed_in_page("pj-login").unwrap_or_default());
    let display = RwSignal::new(typed_in_page("pj-display").unwrap_or_default());
    let pass = RwSignal::new(typed_in_page("pj-pass").unwrap_or_default());
    let pass2 = RwSignal::new(typed_in_page("pj-pass2").unwrap_or_default());
    retire_page_form();
    let device = RwSignal::new(default_device_name());
    let errors: [RwSignal<Option<&'static str>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let send = move || {
        let login_ok = normalize_login(&login.get_untracked());
        let p = pass.get_untracked();
        // The same rules the server applies first, said before anything is sent.
        let weak = nimo_core::base::passphrase::quick_check(&p, login_ok.as_deref().unwrap_or(""));
        let ok = [
            check(errors[0], normalize_invite_code(&code.get_untracked()).is_none(), t.err_code_format),
            check(errors[1], login_ok.is_err(), t.err_login_format),
            check(errors[2], display.get_untracked().trim().is_empty(), t.err_required),
            check(errors[3], weak.is_err(), weak.err().map_or(t.err_passphrase_short, |w| t.passphrase_problem(w))),
            check(errors[4], p != pass2.get_untracked(), t.passphrase_mismatch),
        ];
        if ok.contains(&false) {
            return;
        }
        busy.set(true);
        failure.set(None);
        let request = JoinRequest {
            code: code.get_untracked(),
            login: login.get_untracked(),
            display_name: display.get_untracked(),
            passphrase: p,
            device_name: device.get_untracked(),
            bearer: session::wants_bearer(app),
        };
        spawn_local(async move {
            match api::join(&request).await {
                Ok(me) => finish(app, me, failure).await,
                Err(e) => failure.set(Some(t.api_error(&e))),
            }
            busy.set(false);
        });
    };
    // Sent before the app arrived (the page's own form): send it now.
    let pending = web_sys::window().and_then(|w| crate::platform::js::get(&w, "nimoJoinPending")).is_some_and(|v| v.is_truthy());
    if pending {
        if let Some(w) = web_sys::window() {
            crate::platform::js::set(&w, "nimoJoinPending", &wasm_bindgen::JsValue::FALSE);
        }
        send();
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };

    view! {
        <form class="card" on:submit=handler::submit(submit) novalidate>
            <h2>{t.join_title}</h2>
            <p>{t.join_lead}</p>
            <Notice message=failure/>
            <TextField label=t.invite_code value=code hint=t.invite_code_hint error=errors[0] autocomplete="off" testid="join-code"/>
            <TextField label=t.login_name value=login hint=t.login_name_hint error=errors[1] autocomplete="username" testid="join-login"/>
            <TextField label=t.display_name value=display hint=t.display_name_hint error=errors[2] autocomplete="nickname" testid="join-display"/>
            <TextField label=t.passphrase value=pass kind="password" hint=t.passphrase_hint error=errors[3] autocomplete="new-password" testid="join-pass"/>
            <TextField label=t.passphrase_again value=pass2 kind="password" error=errors[4] autocomplete="new-password" testid="join-pass2"/>
            <TextField label=t.device_name value=device autocomplete="off"/>
            <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.join_button }}</button>
        </form>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let login = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let login_err = RwSignal::new(None);
    let pass_err = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let warning = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ok = [check(login_err, login.get().trim().is_empty(), t.err_required), check(pass_err, pass.get().is_empty(), t.err_required)];
        if ok.contains(&false) {
            return;
        }
        busy.set(true);
        failure.set(None);
        let request = LoginRequest { login: login.get(), passphrase: pass.get(), device_name: default_device_name(), bearer: session::wants_bearer(app) };
        spawn_local(async move {
            match api::login(&request).await {
                Ok(me) => {
                    let unsent = session::other_users_unsent(app, &me.user).await;
                    if unsent > 0 && warning.get_untracked().is_none() {
                        // Ask once: signing in as someone else erases their unsent changes.
                        warning.set(Some(t.other_user_warning.to_owned()));
                    } else {
                        finish(app, me, failure).await;
                    }
                }
                Err(e) => failure.set(Some(t.api_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" on:submit=handler::submit(submit) novalidate>
            <h2>{t.login_title}</h2>
            <Notice message=failure/>
            <Notice message=warning kind="warning"/>
            <TextField label=t.login_name value=login error=login_err autocomplete="username" testid="login-name"/>
            <TextField label=t.passphrase value=pass kind="password" error=pass_err autocomplete="current-password" testid="login-pass"/>
            <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.login_button }}</button>
        </form>
    }
}

/// The first run: the server printed a one-time link; it opens this form,
/// which makes the first group and its first coordinator.
#[component]
pub fn Setup(token: String) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let group = RwSignal::new(String::new());
    let login = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let errors: [RwSignal<Option<&'static str>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    retire_page_form();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login_ok = normalize_login(&login.get());
        let p = pass.get();
        let weak = nimo_core::base::passphrase::quick_check(&p, login_ok.as_deref().unwrap_or(""));
        let ok = [
            check(errors[0], group.get().trim().is_empty(), t.err_required),
            check(errors[1], login_ok.is_err(), t.err_login_format),
            check(errors[2], display.get().trim().is_empty(), t.err_required),
            check(errors[3], weak.is_err(), weak.err().map_or(t.err_passphrase_short, |w| t.passphrase_problem(w))),
            check(errors[4], p != pass2.get(), t.passphrase_mismatch),
        ];
        if ok.contains(&false) {
            return;
        }
        busy.set(true);
        failure.set(None);
        let request = SetupRequest {
            token: token.clone(),
            group_name: group.get(),
            login: login.get(),
            display_name: display.get(),
            passphrase: p,
            device_name: default_device_name(),
            bearer: session::wants_bearer(app),
        };
        spawn_local(async move {
            match api::setup(&request).await {
                Ok(me) => {
                    finish(app, me, failure).await;
                    crate::route::go("#/settings");
                }
                Err(e) => failure.set(Some(t.setup_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="welcome" data-testid="setup">
            <h1>{t.setup_title}</h1>
            <p>{t.setup_lead}</p>
            <form class="card" on:submit=handler::submit(submit) novalidate>
                <Notice message=failure/>
                <TextField label=t.group_name value=group error=errors[0] autocomplete="off" testid="setup-group"/>
                <TextField label=t.login_name value=login hint=t.login_name_hint error=errors[1] autocomplete="username" testid="setup-login"/>
                <TextField label=t.display_name value=display hint=t.display_name_hint error=errors[2] autocomplete="nickname" testid="setup-display"/>
                <TextField label=t.passphrase value=pass kind="password" hint=t.passphrase_hint error=errors[3] autocomplete="new-password" testid="setup-pass"/>
                <TextField label=t.passphrase_again value=pass2 kind="password" error=errors[4] autocomplete="new-password" testid="setup-pass2"/>
                <button type="submit" class="button wide" data-testid="setup-create" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.setup_button }}</button>
            </form>
        </section>
    }
}

/// Shown after a remote erase.
#[component]
pub fn Revoked(reason: String) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    view! {
        <section class="welcome" data-testid="revoked">
            <h1>{t.revoked_title}</h1>
            <p class="notice warning" role="alert">{t.revoked_reason(&reason)}</p>
            <button class="button wide" on:click=handler::click(move |_| app.phase.set(Phase::SignedOut))>{t.revoked_again}</button>
        </section>
    }
}
