//! Small pieces the screens share: labelled fields, choice chips, notices.
//! Every control is at least 48 px tall and labelled for screen readers.
//! Labels are plain strings: the screens re-render on a language change.

use crate::handler;
use leptos::prelude::*;

/// A labelled one-line text input with an optional hint and error.
#[component]
pub fn TextField(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] error: Option<RwSignal<Option<&'static str>>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let id = next_id("f");
    let hint_id = format!("{id}-h");
    let error_id = format!("{id}-e");
    // Only ids that exist: the error paragraph always does, the hint not.
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    let err = move || error.and_then(|e| e.get());
    view! {
        <div class="field" class:invalid=move || err().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                data-testid=testid
                aria-describedby=described
                aria-invalid=move || err().map(|_| "true")
                prop:value=move || value.get()
                on:input=handler::input(move |ev| value.set(event_target_value(&ev)))
            />
            <p class="error" id=error_id role="alert">{err}</p>
        </div>
    }
}

/// A labelled multi-line text area.
#[component]
pub fn TextArea(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] error: Option<RwSignal<Option<&'static str>>>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let id = next_id("t");
    let hint_id = format!("{id}-h");
    let error_id = format!("{id}-e");
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    let err = move || error.and_then(|e| e.get());
    view! {
        <div class="field" class:invalid=move || err().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <textarea
                id=id
                rows=rows
                data-testid=testid
                aria-describedby=described
                aria-invalid=move || err().map(|_| "true")
                prop:value=move || value.get()
                on:input=handler::input(move |ev| value.set(event_target_value(&ev)))
            ></textarea>
            <p class="error" id=error_id role="alert">{err}</p>
        </div>
    }
}

/// One choice among several, as large toggle buttons (radio semantics).
/// `options` are (value, label) pairs.
#[component]
pub fn ChoiceChips(
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    selected: RwSignal<Option<String>>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(default = true)] can_clear: bool,
) -> impl IntoView {
    let id = next_id("c");
    let labelled = id.clone();
    view! {
        <div class="chips-field" role="radiogroup" aria-labelledby=labelled data-testid=testid>
            <p class="chips-label" id=id>{label}</p>
            <div class="chips">
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let on = move || selected.with(|s| s.as_deref() == Some(value));
                        view! {
                            <button
                                type="button"
                                class="chip"
                                role="radio"
                                aria-checked=move || if on() { "true" } else { "false" }
                                data-value=value
                                on:click=handler::click(move |_| {
                                    if on() {
                                        if can_clear {
                                            selected.set(None);
                                        }
                                    } else {
                                        selected.set(Some(value.to_owned()));
                                    }
                                })
                            >
                                <span class="check" aria-hidden="true">"✓ "</span>
                                {text}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

/// Several choices, as large toggle buttons (aria-pressed).
#[component]
pub fn MultiChips(
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    selected: RwSignal<Vec<String>>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let id = next_id("m");
    let labelled = id.clone();
    view! {
        <div class="chips-field" role="group" aria-labelledby=labelled data-testid=testid>
            <p class="chips-label" id=id>{label}</p>
            <div class="chips">
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let on = move || selected.with(|s| s.iter().any(|x| x == value));
                        view! {
                            <button
                                type="button"
                                class="chip"
                                aria-pressed=move || if on() { "true" } else { "false" }
                                data-value=value
                                on:click=handler::click(move |_| toggle(selected, value))
                            >
                                <span class="check" aria-hidden="true">"✓ "</span>
                                {text}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

fn toggle(selected: RwSignal<Vec<String>>, value: &str) {
    selected.update(|s| {
        if let Some(i) = s.iter().position(|x| x == value) {
            s.remove(i);
        } else {
            s.push(value.to_owned());
        }
    });
}

/// A message at the top of a form or section: `error`, `warning` or `info`.
#[component]
pub fn Notice(message: RwSignal<Option<String>>, #[prop(default = "error")] kind: &'static str) -> impl IntoView {
    let class = format!("notice {kind}");
    let role = if kind == "error" { "alert" } else { "status" };
    view! { <p class=class role=role class:hidden=move || message.with(Option::is_none)>{move || message.get()}</p> }
}

thread_local! {
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A unique DOM id, for label/input pairs.
pub fn next_id(prefix: &str) -> String {
    let n = NEXT.with(|c| {
        let n = c.get() + 1;
        c.set(n);
        n
    });
    format!("{prefix}{n}")
}

/// Asks the user to confirm (the browser's own dialog: accessible, tiny).
pub fn confirm(message: &str) -> bool {
    window().confirm_with_message(message).unwrap_or(false)
}

/// Copies text to the clipboard; true if it worked.
pub async fn copy_text(text: &str) -> bool {
    let Some(clipboard) = crate::platform::js::get(&window().navigator(), "clipboard") else { return false };
    match crate::platform::js::call(&clipboard, "writeText", &[wasm_bindgen::JsValue::from_str(text)]) {
        Some(Ok(p)) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(p)).await.is_ok(),
        _ => false,
    }
}

/// Starts a download of `bytes` as a file (CSV, JSON, iCalendar).
pub fn download(name: &str, mime: &str, bytes: &[u8]) {
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &props) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = document().create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Some(body) = document().body() {
            let _ = body.append_child(&a);
            if let Some(a) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&a) {
                a.click();
            }
            let _ = body.remove_child(&a);
        }
    }
    set_timeout(move || { let _ = web_sys::Url::revoke_object_url(&url); }, std::time::Duration::from_secs(30));
}

/// Text as a QR code (an invite link, a recovery key), drawn as one SVG
/// path by the key module (loaded on the screens that show one, which need
/// it for their keys anyway). Nothing shows if it cannot load: the text is
/// always beside it.
#[component]
pub fn QrCode(text: String, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    let drawn = RwSignal::new(None::<(String, String)>);
    leptos::task::spawn_local(async move {
        use crate::platform::modules::{self, Module};
        if let Ok(answer) = modules::call(Module::Keys, "qr", &[&text]).await
            && let Some((size, d)) = answer.split_once(' ')
            && let Ok(size) = size.parse::<u32>()
        {
            drawn.set(Some((format!("0 0 {0} {0}", size + 8), d.to_owned())));
        }
    });
    move || {
        drawn.get().map(|(view_box, d)| view! {
            <svg class="qr" viewBox=view_box role="img" aria-label="QR" data-testid=testid>
                <rect width="100%" height="100%" fill="#fff"/>
                <path d=d fill="#000"/>
            </svg>
        })
    }
}
