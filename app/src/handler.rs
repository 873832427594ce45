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
