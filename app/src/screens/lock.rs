//! The lock screen: the PIN opens the data key.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{Notice, TextField, confirm};
use crate::i18n::use_texts;
use crate::state::{session, use_app};

#[component]
pub fn Lock() -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            match session::unlock(app, &pin.get_untracked()).await {
                Ok(()) => pin.set(String::new()),
                Err(session::LockError::WrongPin) => failure.set(Some(t.wrong_pin.to_owned())),
                Err(e) => failure.set(Some(format!("{e:?}"))),
            }
            busy.set(false);
        });
    };
    let forgot = move |_| {
        if confirm(t.forgot_pin_body) {
            spawn_local(session::forget_everything(app));
        }
    };
    view! {
        <section class="welcome" data-testid="lock">
            <h1>{t.lock_title}</h1>
            <form class="card" on:submit=handler::submit(submit)>
                <p>{t.lock_lead}</p>
                <Notice message=failure/>
                <TextField label=t.pin value=pin kind="password" autocomplete="current-password" testid="unlock-pin"/>
                <button type="submit" class="button wide" disabled=move || busy.get()>{move || if busy.get() { t.working } else { t.unlock_button }}</button>
            </form>
            <details class="card">
                <summary>{t.forgot_pin}</summary>
                <p>{t.forgot_pin_body}</p>
                <button type="button" class="button secondary" on:click=handler::click(forgot)>{t.forgot_pin_erase}</button>
            </details>
        </section>
    }
}
