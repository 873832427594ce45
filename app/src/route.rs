//! Screens and their URL hashes (`#/windows`). Hash routing keeps every
//! screen reachable offline from the one cached `index.html`.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Records,
    Windows,
    Meetings,
    Settings,
}

impl Screen {
    pub const TABS: [Screen; 4] = [Screen::Records, Screen::Windows, Screen::Meetings, Screen::Settings];

    pub fn from_hash(hash: &str) -> Self {
        match hash.trim_start_matches('#').trim_start_matches('/').split('/').next().unwrap_or("") {
            "windows" => Self::Windows,
            "meetings" => Self::Meetings,
            "settings" => Self::Settings,
            _ => Self::Records,
        }
    }

    pub fn href(self) -> &'static str {
        match self {
            Self::Records => "#/",
            Self::Windows => "#/windows",
            Self::Meetings => "#/meetings",
            Self::Settings => "#/settings",
        }
    }
}

/// The current screen, following `hashchange`.
pub fn use_screen() -> ReadSignal<Screen> {
    let current = || Screen::from_hash(&location_hash().unwrap_or_default());
    let (screen, set_screen) = signal(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| set_screen.set(current()));
    on_cleanup(move || handle.remove());
    screen
}
