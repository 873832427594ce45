//! 実施報告: a hospital visit written up for the secretariat, to copy or
//! export. No nickname of the patient beyond what the record holds.

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::collection::Collection;
use nimo_core::contact::Contact;
use nimo_core::ids::RecordId;

use crate::components::{copy_text, download};
use crate::i18n::{JA, use_texts};
use crate::state::use_app;

/// The report text, always in Japanese (it goes to the secretariat).
pub fn report_text(c: &Contact) -> String {
    let t = &JA;
    let mut out = String::from("入院者訪問支援 実施報告\n\n");
    let line = |out: &mut String, label: &str, value: &str| {
        out.push_str(&format!("{label}：{}\n", if value.is_empty() { "—" } else { value }));
    };
    line(&mut out, "訪問日時", &c.at.map(|a| t.datetime(a)).unwrap_or_default());
    line(&mut out, "病院", &c.hospital);
    line(&mut out, "訪問者（ペア）", &c.partner);
    line(&mut out, "本人（ニックネーム）", &c.person);
    let method = t.wish_methods().into_iter().find(|(v, _)| *v == c.wish_method).map(|(_, l)| l).unwrap_or("");
    line(&mut out, "訪問希望の確認方法", method);
    line(&mut out, "希望を確認した日", &c.wish_date.map(|d| t.date(d)).unwrap_or_default());
    line(&mut out, "かかった時間（分）", &c.duration_min.map(|d| d.to_string()).unwrap_or_default());
    line(&mut out, "話題になったこと", &c.worries.iter().map(|w| w.ja()).collect::<Vec<_>>().join("・"));
    let actions: Vec<&str> = c.actions.iter().filter_map(|a| t.action_options().into_iter().find(|(v, _)| v == a).map(|(_, l)| l)).collect();
    line(&mut out, "したこと", &actions.join("・"));
    out.push_str("\n本人の話（本人の言葉で）：\n");
    out.push_str(if c.note.is_empty() { "—" } else { &c.note });
    out.push('\n');
    out
}

#[component]
pub fn VisitReport(id: RecordId) -> impl IntoView {
    let t = use_texts();
    let app = use_app();
    let contact = app.cache.get(Collection::Contact, &id).and_then(|r| Contact::from_record(&r));
    let Some(contact) = contact else {
        return view! { <h1>{t.visit_report}</h1><p class="empty">{t.not_found}</p> }.into_any();
    };
    let text = report_text(&contact);
    let copied = RwSignal::new(false);
    let (t1, t2) = (text.clone(), text.clone());
    let name = format!("nimo-visit-report-{}.txt", contact.date().map(|d| d.to_string()).unwrap_or_default());
    view! {
        <h1>{t.visit_report}</h1>
        <pre class="report" data-testid="visit-report">{text}</pre>
        <div class="buttons">
            <button type="button" class="button" on:click=move |_| { let text = t1.clone(); spawn_local(async move { copied.set(copy_text(&text).await); }); }>
                {move || if copied.get() { t.copied } else { t.visit_report_copy }}
            </button>
            <button type="button" class="button secondary" on:click=move |_| download(&name, "text/plain;charset=utf-8", t2.as_bytes())>{t.visit_report_export}</button>
            <a class="button secondary" href=format!("#/contact/{id}")>{t.contact_edit_title}</a>
        </div>
    }
    .into_any()
}
