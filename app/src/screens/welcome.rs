//! Before anyone is signed in: join with an invite, or sign in.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::api::{normalize_invite_code, normalize_login};

use crate::components::{Notice, TextField};
use crate::i18n::{Lang, use_i18n, use_texts};
use crate::platform::modules::{self, Module};
use crate::state::account::{self, AccountError};
use crate::state::{Phase, session, use_app};

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

/// Which form the welcome screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Join,
    Login,
    Recover,
}

#[component]
pub fn Welcome(#[prop(optional)] again: bool, #[prop(optional)] code: String) -> impl IntoView {
    let t = use_texts();
    let i18n = use_i18n();
    let mode = RwSignal::new(if again { Mode::Login } else { Mode::Join });
    let other = if t.is_ja() { Lang::En } else { Lang::Ja };
    // Whatever the person does next needs the key module: it downloads
    // while they read and type.
    modules::prefetch(Module::Keys);
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
            {move || match mode.get() {
                Mode::Login => view! {
                    <LoginForm/>
                    <p class="switch"><button type="button" class="link" data-testid="forgot-passphrase" on:click=handler::click(move |_| mode.set(Mode::Recover))>{t.forgot_passphrase}</button></p>
                    <p class="switch">{t.have_invite} " " <button type="button" class="link" on:click=handler::click(move |_| mode.set(Mode::Join))>{t.join_title}</button></p>
                }.into_any(),
                Mode::Join => view! {
                    <JoinForm code=code.clone()/>
                    <p class="switch">{t.have_account} " " <button type="button" class="link" on:click=handler::click(move |_| mode.set(Mode::Login))>{t.login_title}</button></p>
                }.into_any(),
                Mode::Recover => view! {
                    <RecoverForm/>
                    <p class="switch"><button type="button" class="link" on:click=handler::click(move |_| mode.set(Mode::Login))>{t.login_title}</button></p>
                }.into_any(),
            }}
        </section>
    }
}

/// After a sign-in, a join, a setup or a recovery: the session opens, and
/// what must be written down is kept until it is.
async fn finish(app: crate::state::AppState, t: &'static crate::i18n::Texts, signed: account::SignedIn, keep: Option<account::ToKeep>, failure: RwSignal<Option<String>>) -> bool {
    match account::finish(app, signed).await {
        Ok(()) => {
            if let Some(keep) = keep {
                account::save_to_keep(app, &keep).await;
            }
            true
        }
        Err(e) => {
            failure.set(Some(t.account_error(&e)));
            false
        }
    }
}

/// Starts downloading the strength module once a new passphrase is being
/// typed (not for someone who only signs in: it is most of a megabyte).
pub fn prefetch_strength_once_typed(pass: RwSignal<String>) {
    let started = StoredValue::new(false);
    handler::effect(move |_| {
        if !pass.with(String::is_empty) && !started.get_value() {
            started.set_value(true);
            modules::prefetch(Module::Strength);
        }
    });
}

/// Sets `error` to `message` when `bad`, and says whether all is well.
fn check(error: RwSignal<Option<&'static str>>, bad: bool, message: &'static str) -> bool {
    error.set(bad.then_some(message));
    !bad
}

/// Puts a weak passphrase's reason at its field; other errors above the form.
fn say(e: AccountError, t: &'static crate::i18n::Texts, pass_error: RwSignal<Option<&'static str>>, failure: RwSignal<Option<String>>) {
    match e {
        AccountError::Weak(p) => pass_error.set(Some(t.passphrase_problem(p))),
        other => failure.set(Some(t.account_error(&other))),
    }
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
    // A new passphrase is judged here, on the phone: the estimate starts
    // downloading once one is being typed, while the rest is filled in.
    prefetch_strength_once_typed(pass);
    let device = RwSignal::new(default_device_name());
    let errors: [RwSignal<Option<&'static str>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let send = move || {
        let login_ok = normalize_login(&login.get_untracked());
        let p = pass.get_untracked();
        // The quick rules, said before anything is sent.
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
        let (code, login, display, device, bearer) = (code.get_untracked(), login_ok.unwrap_or_default(), display.get_untracked(), device.get_untracked(), session::wants_bearer(app));
        spawn_local(async move {
            match account::join(&code, &login, &display, &p, device, bearer).await {
                Ok((signed, keep)) => {
                    finish(app, t, signed, keep, failure).await;
                }
                Err(e) => say(e, t, errors[3], failure),
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
            <p class="hint">{t.keys_made_here}</p>
            <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.making_keys } else { t.join_button }}</button>
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
        let (name, p) = (normalize_login(&login.get()).unwrap_or_else(|_| login.get()), pass.get());
        spawn_local(async move {
            match account::sign_in(&name, &p, default_device_name(), session::wants_bearer(app)).await {
                Ok(signed) => {
                    let unsent = session::other_users_unsent(app, &signed.me.user).await;
                    if unsent > 0 && warning.get_untracked().is_none() {
                        // Ask once: signing in as someone else erases their unsent changes.
                        warning.set(Some(t.other_user_warning.to_owned()));
                    } else {
                        finish(app, t, signed, None, failure).await;
                    }
                }
                Err(e) => failure.set(Some(t.account_error(&e))),
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
            <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.opening_keys } else { t.login_button }}</button>
        </form>
    }
}

/// A forgotten passphrase: the recovery key written down at the start
/// sets a new one, on this phone.
#[component]
fn RecoverForm() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let login = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let errors: [RwSignal<Option<&'static str>>; 4] = std::array::from_fn(|_| RwSignal::new(None));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    prefetch_strength_once_typed(pass);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login_ok = normalize_login(&login.get());
        let p = pass.get();
        let weak = nimo_core::base::passphrase::quick_check(&p, login_ok.as_deref().unwrap_or(""));
        let ok = [
            check(errors[0], login_ok.is_err(), t.err_login_format),
            check(errors[1], key.get().trim().is_empty(), t.err_required),
            check(errors[2], weak.is_err(), weak.err().map_or(t.err_passphrase_short, |w| t.passphrase_problem(w))),
            check(errors[3], p != pass2.get(), t.passphrase_mismatch),
        ];
        if ok.contains(&false) {
            return;
        }
        busy.set(true);
        failure.set(None);
        let (name, recovery) = (login_ok.unwrap_or_default(), key.get());
        spawn_local(async move {
            match account::recover(&name, &recovery, &p, default_device_name(), session::wants_bearer(app)).await {
                Ok(signed) => {
                    if finish(app, t, signed, None, failure).await {
                        app.flash.set(Some(t.recovered.to_owned()));
                    }
                }
                Err(AccountError::RecoveryKey) => errors[1].set(Some(t.err_recovery_key)),
                Err(e) => say(e, t, errors[2], failure),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" on:submit=handler::submit(submit) novalidate data-testid="recover-form">
            <h2>{t.recover_title}</h2>
            <p>{t.recover_lead}</p>
            <Notice message=failure/>
            <TextField label=t.login_name value=login error=errors[0] autocomplete="username" testid="recover-login"/>
            <TextField label=t.recovery_key value=key hint=t.recovery_key_hint error=errors[1] autocomplete="off" testid="recover-key"/>
            <TextField label=t.passphrase_new value=pass kind="password" hint=t.passphrase_hint error=errors[2] autocomplete="new-password" testid="recover-pass"/>
            <TextField label=t.passphrase_again value=pass2 kind="password" error=errors[3] autocomplete="new-password" testid="recover-pass2"/>
            <button type="submit" class="button wide" data-testid="recover-submit" disabled=move || busy.get()>{move || if busy.get() { t.making_keys } else { t.recover_button }}</button>
            <p class="hint">{t.recover_without_key}</p>
        </form>
    }
}

/// The first run: the server printed a one-time link; it opens this form,
/// which makes the first group, its first key and its first coordinator.
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
    modules::prefetch(Module::Keys);
    prefetch_strength_once_typed(pass);
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
        let (token, group_name, login, display, bearer) = (token.clone(), group.get(), login_ok.unwrap_or_default(), display.get(), session::wants_bearer(app));
        spawn_local(async move {
            match account::setup(token, group_name, &login, &display, &p, default_device_name(), bearer).await {
                Ok((signed, keep)) => {
                    if finish(app, t, signed, keep, failure).await {
                        crate::route::go("#/settings");
                    }
                }
                Err(AccountError::Api(e)) => failure.set(Some(t.setup_error(&e))),
                Err(e) => say(e, t, errors[3], failure),
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
                <p class="hint">{t.keys_made_here}</p>
                <button type="submit" class="button wide" data-testid="setup-create" disabled=move || busy.get()>{move || if busy.get() { t.making_keys } else { t.setup_button }}</button>
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
