//! The keys to write down, shown once after an account or a group's first
//! key is made (join, setup, a re-admission): the person's recovery key and,
//! for whoever made the group's key, the group's recovery key. In groups of
//! four letters and digits with no look-alikes (Crockford's base32, a
//! checking group at the end), as a QR code, printable; the sheet stays
//! until the last four characters are typed back from what was written.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{QrCode, TextField};
use crate::handler;
use crate::i18n::use_texts;
use crate::state::account::{self, ToKeep};
use crate::state::use_app;

#[component]
pub fn KeepKeys(keep: ToKeep) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let last = keep.recovery.rsplit('-').next().unwrap_or_default().to_owned();
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let given: String = typed.get_untracked().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
        if !last.is_empty() && given != last {
            error.set(Some(t.keep_confirm_wrong));
            return;
        }
        spawn_local(account::kept(app));
    };
    let print = move |_| {
        let _ = window().print();
    };
    let personal = (!keep.recovery.is_empty()).then(|| {
        let text = keep.recovery.clone();
        view! {
            <section class="keep-key" data-testid="keep-personal">
                <h2>{t.keep_personal}</h2>
                <p class="key-text" data-testid="recovery-key">{text.clone()}</p>
                <QrCode text=text/>
                <p>{t.keep_personal_why}</p>
            </section>
        }
    });
    let group = keep.group_recovery.clone().map(|(name, text)| view! {
        <section class="keep-key" data-testid="keep-group">
            <h2>{t.keep_group}" — "{name}</h2>
            <p class="key-text" data-testid="group-recovery-key">{text.clone()}</p>
            <QrCode text=text/>
            <p>{t.keep_group_why}</p>
        </section>
    });
    let needs_confirm = !keep.recovery.is_empty();
    view! {
        <article class="card keep-sheet" data-testid="keep-keys" aria-labelledby="keep-title">
            <h1 id="keep-title">{t.keep_title}</h1>
            <p class="notice warning">{t.keep_lead}</p>
            {personal}
            {group}
            <p class="no-print"><button type="button" class="button secondary" on:click=handler::click(print)>{t.keep_print}</button></p>
            <form class="no-print" on:submit=handler::submit(confirm) novalidate>
                {needs_confirm.then(|| view! { <TextField label=t.keep_confirm_label value=typed error=error autocomplete="off" testid="keep-confirm"/> })}
                <button type="submit" class="button wide" data-testid="keep-done">{t.keep_done}</button>
            </form>
        </article>
    }
}
