//! 実施報告: a hospital visit written up for the secretariat (by
//! `nimo_core::contacts::report::visit_report`), to copy or export.

use crate::handler;
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::contacts::contact::Contact;
use nimo_core::contacts::report::visit_report;
use nimo_core::schema::Doc;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;

use crate::components::{copy_text, download};
use crate::i18n::use_texts;
use crate::state::use_app;

#[component]
pub fn VisitReport(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let contact = app.cache.get(Collection::Contact, &id).as_ref().and_then(Doc::<Contact>::from_record);
    let Some((contact, text)) = contact.and_then(|c| visit_report(&c.data).map(|text| (c, text))) else {
        return view! { <h1>{t.visit_report}</h1><p class="empty">{t.visit_report_only}</p> }.into_any();
    };
    let copied = RwSignal::new(false);
    let (t1, t2) = (text.clone(), text.clone());
    let name = format!("nimo-visit-report-{}.txt", contact.data.date().map(|d| d.to_string()).unwrap_or_default());
    view! {
        <h1>{t.visit_report}</h1>
        <pre class="report" data-testid="visit-report">{text}</pre>
        <div class="buttons">
            <button type="button" class="button" on:click=handler::click(move |_| { let text = t1.clone(); spawn_local(async move { copied.set(copy_text(&text).await); }); })>
                {move || if copied.get() { t.copied } else { t.visit_report_copy }}
            </button>
            <button type="button" class="button secondary" on:click=handler::click(move |_| download(&name, "text/plain;charset=utf-8", t2.as_bytes()))>{t.visit_report_export}</button>
            <a class="button secondary" href=format!("#/contact/{id}")>{t.contact_edit_title}</a>
        </div>
    }
    .into_any()
}
