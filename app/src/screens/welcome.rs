//! Before anyone is signed in: join with an invite, or sign in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::api::{JoinRequest, LoginRequest, Me, normalize_invite_code, normalize_login};

use crate::components::{Notice, TextField};
use crate::i18n::{Lang, use_i18n, use_texts};
use crate::platform::http;
use crate::state::{Phase, session, use_app};

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
                <button type="button" class="link" lang=other.code() on:click=move |_| i18n.set(other)>{other.texts().lang_self}</button>
            </p>
            <h1>{t.welcome_title}</h1>
            <p>{t.welcome_lead}</p>
            <p>{t.welcome_body}</p>
            <p class="privacy">{t.welcome_privacy}</p>
            {again.then(|| view! { <p class="notice info">{t.login_again_lead}</p> })}
            {move || if login.get() {
                view! {
                    <LoginForm/>
                    <p class="switch">{t.have_invite} " " <button type="button" class="link" on:click=move |_| login.set(false)>{t.join_title}</button></p>
                }.into_any()
            } else {
                view! {
                    <JoinForm code=code.clone()/>
                    <p class="switch">{t.have_account} " " <button type="button" class="link" on:click=move |_| login.set(true)>{t.login_title}</button></p>
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
    let code = RwSignal::new(code);
    let login = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let device = RwSignal::new(default_device_name());
    let errors: [RwSignal<Option<&'static str>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login_ok = normalize_login(&login.get());
        let p = pass.get();
        // The same rules the server applies first, said before anything is sent.
        let weak = nimo_core::passphrase::quick_check(&p, login_ok.as_deref().unwrap_or(""));
        let ok = [
            check(errors[0], normalize_invite_code(&code.get()).is_none(), t.err_code_format),
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
        let request = JoinRequest { code: code.get(), login: login.get(), display_name: display.get(), passphrase: p, device_name: device.get(), bearer: session::wants_bearer(app) };
        spawn_local(async move {
            match http::post::<_, Me>("/api/join", &request).await {
                Ok(me) => finish(app, me, failure).await,
                Err(e) => failure.set(Some(t.api_error(&e))),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="card" on:submit=submit novalidate>
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
            match http::post::<_, Me>("/api/auth/login", &request).await {
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
        <form class="card" on:submit=submit novalidate>
            <h2>{t.login_title}</h2>
            <Notice message=failure/>
            <Notice message=warning kind="warning"/>
            <TextField label=t.login_name value=login error=login_err autocomplete="username" testid="login-name"/>
            <TextField label=t.passphrase value=pass kind="password" error=pass_err autocomplete="current-password" testid="login-pass"/>
            <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.login_button }}</button>
        </form>
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
            <button class="button wide" on:click=move |_| app.phase.set(Phase::SignedOut)>{t.revoked_again}</button>
        </section>
    }
}
