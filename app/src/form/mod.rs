//! Forms from the schema: one set of field components renders any
//! collection's fields from `nimo_core`'s schema (kind, limits,
//! vocabularies, labels in both languages), holds each field's value as an
//! `Input`, shows each problem at its field, and on a refused save opens
//! the section that holds the first problem, scrolls to it and focuses it.
//!
//! - [`FormState`]: the values (one signal per field), problems, warnings
//!   and which sections are open.
//! - [`fields`]: [`Field`](fields::Field) — the control for one field,
//!   chosen by its kind — and [`Fields`](fields::Fields) for a section.
//! - [`editors`]: the structured fields (referrals, areas served, phones,
//!   hours, dated exceptions).
//! - [`readonly`]: a record read, not edited, from the same schema.
//! - [`ProblemSummary`]: the refused save's summary, each field a link.

pub mod editors;
pub mod fields;
pub mod readonly;

use crate::handler;
use leptos::prelude::*;
use nimo_core::schema::{FieldSpec, FormValues, Input, Problems, Schema, Section};
use wasm_bindgen::JsCast;

use crate::i18n::use_texts;

/// A form over one collection's schema. Cheap to copy.
#[derive(Clone, Copy)]
pub struct FormState {
    pub schema: &'static Schema,
    inputs: StoredValue<Vec<(&'static str, RwSignal<Input>)>>,
    pub problems: RwSignal<Problems>,
    /// What to confirm before saving (a date far ahead…), not refusals.
    pub warnings: RwSignal<Problems>,
    /// 「くわしく入力」 open.
    pub details_open: RwSignal<bool>,
}

impl FormState {
    pub fn new(schema: &'static Schema, values: &FormValues) -> Self {
        let inputs = schema.fields.iter().map(|f| (f.name, RwSignal::new(values.get(f.name).cloned().unwrap_or_default()))).collect();
        Self {
            schema,
            inputs: StoredValue::new(inputs),
            problems: RwSignal::new(Problems::new()),
            warnings: RwSignal::new(Problems::new()),
            details_open: RwSignal::new(false),
        }
    }

    /// One field's value (a signal the control edits).
    pub fn input(&self, name: &str) -> RwSignal<Input> {
        self.inputs
            .with_value(|all| all.iter().find(|(n, _)| *n == name).map(|(_, s)| *s))
            .unwrap_or_else(|| RwSignal::new(Input::Empty))
    }

    /// The form as it stands (tracked: an effect reading it reruns on every change).
    pub fn values(&self) -> FormValues {
        self.inputs.with_value(|all| all.iter().map(|(n, s)| (*n, s.get())).collect())
    }

    pub fn values_untracked(&self) -> FormValues {
        self.inputs.with_value(|all| all.iter().map(|(n, s)| (*n, s.get_untracked())).collect())
    }

    pub fn set_values(&self, values: &FormValues) {
        self.inputs.with_value(|all| {
            for (n, s) in all {
                s.set(values.get(n).cloned().unwrap_or_default());
            }
        });
    }

    pub fn spec(&self, name: &str) -> Option<&'static FieldSpec> {
        self.schema.field(name)
    }

    /// The DOM id of a field's control.
    pub fn dom_id(&self, name: &str) -> String {
        format!("f-{}-{name}", self.schema.collection.id())
    }

    /// Shows `problems` at their fields; with any, opens the section of the
    /// first (in form order), scrolls to it and focuses it.
    pub fn show(&self, problems: Problems) {
        let first = self.schema.fields.iter().find(|f| problems.contains_key(f.name));
        self.problems.set(problems);
        if let Some(f) = first {
            self.reveal(f.name);
        }
    }

    /// Opens the field's section and moves to it.
    pub fn reveal(&self, name: &'static str) {
        if self.spec(name).is_some_and(|f| f.section == Section::Details) {
            self.details_open.set(true);
        }
        let id = self.dom_id(name);
        // After the section has opened and rendered.
        request_animation_frame(move || focus_by_id(&id));
    }

}

fn focus_by_id(id: &str) {
    let Some(el) = document().get_element_by_id(id) else { return };
    el.scroll_into_view_with_bool(true);
    // A control, or the first control inside a group of chips.
    let target = if el.tag_name() == "DIV" || el.tag_name() == "FIELDSET" { el.query_selector("input,button,textarea,select").ok().flatten() } else { Some(el) };
    if let Some(h) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = h.focus();
    }
}

/// 「直してほしいところがあります」, each field a link to itself.
#[component]
pub fn ProblemSummary(form: FormState) -> impl IntoView {
    let t = use_texts();
    move || {
        let problems = form.problems.get();
        (!problems.is_empty()).then(|| {
            let fields: Vec<&'static FieldSpec> = form.schema.fields.iter().filter(|f| problems.contains_key(f.name)).collect();
            view! {
                <div class="notice error" role="alert" data-testid="form-problems">
                    <p>{t.form_has_problems}</p>
                    <ul class="problem-links">
                        {fields.into_iter().map(|f| {
                            let name = f.name;
                            view! { <li><button type="button" class="link" on:click=handler::click(move |_| form.reveal(name))>{f.label.get(t.is_ja())}</button></li> }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
