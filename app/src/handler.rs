//! Event handlers (and effects) as one boxed type per event.
//!
//! Leptos compiles its event-listener code (attaching, erasing, cloning
//! the attribute) once per handler *type*, and every closure is its own
//! type: with ~100 `on:` handlers that was ~50 KB of near-identical wasm
//! before optimisation. Boxing each handler as `dyn FnMut` leaves one copy
//! per event kind; a handler costs one allocation when its view is built.
//! Write `on:click=handler::click(move |_| ...)`.

use leptos::ev::{Event, MouseEvent, SubmitEvent};
use leptos::prelude::Effect;

pub type Handler<E> = Box<dyn FnMut(E)>;

pub fn click(f: impl FnMut(MouseEvent) + 'static) -> Handler<MouseEvent> {
    Box::new(f)
}

/// `input`, `change` and `toggle` all carry a plain `Event`.
pub fn input(f: impl FnMut(Event) + 'static) -> Handler<Event> {
    Box::new(f)
}

pub fn change(f: impl FnMut(Event) + 'static) -> Handler<Event> {
    Box::new(f)
}

pub fn toggle(f: impl FnMut(Event) + 'static) -> Handler<Event> {
    Box::new(f)
}

pub fn submit(f: impl FnMut(SubmitEvent) + 'static) -> Handler<SubmitEvent> {
    Box::new(f)
}

/// An effect that keeps no value between runs, boxed for the same reason:
/// Leptos's effect machinery is compiled once per closure type otherwise.
pub fn effect(f: impl FnMut(Option<()>) + 'static) {
    let f: Box<dyn FnMut(Option<()>)> = Box::new(f);
    Effect::new(f);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Finds `on:<event>=` attributes and `Effect::new(move |_|` calls
    /// that bypass this module. They work, but each costs its own copy of
    /// Leptos's code in the wasm.
    fn unboxed(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("app/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                unboxed(&path, found);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("handler.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
            for (n, line) in text.lines().enumerate() {
                let mut rest = line;
                while let Some(at) = rest.find("on:") {
                    let after = &rest[at + 3..];
                    let name_len = after.bytes().take_while(u8::is_ascii_lowercase).count();
                    let value = &after[name_len..];
                    if name_len > 0 && value.starts_with('=') && !value[1..].starts_with("handler::") {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                    rest = after;
                }
                if line.contains("Effect::new(move |_|") {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }

    #[test]
    fn every_handler_and_plain_effect_goes_through_this_module() {
        let mut found = Vec::new();
        unboxed(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
        assert!(found.is_empty(), "use handler::click(...) etc. here:\n{}", found.join("\n"));
    }
}
