//! Screens and their URL hashes (`#/contact/<id>`). Hash routing keeps every
//! screen reachable offline from the one cached `index.html`.

use leptos::prelude::*;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;

/// The four tabs of the bottom navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Records,
    Windows,
    Meetings,
    Settings,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Records, Tab::Windows, Tab::Meetings, Tab::Settings];

    pub fn href(self) -> &'static str {
        match self {
            Self::Records => "#/",
            Self::Windows => "#/windows",
            Self::Meetings => "#/meetings",
            Self::Settings => "#/settings",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Records,
    NewContact,
    /// A new contact begun from the finder's 「記録に紹介先として追加」.
    NewContactFromFinder,
    Contact(RecordId),
    VisitReport(RecordId),
    Windows,
    Window(RecordId),
    Directory,
    NewWindow,
    EditWindow(RecordId),
    Import,
    Meetings,
    NewMeeting,
    Meeting(RecordId),
    Item(RecordId),
    Report,
    Settings,
    /// Any record read-only, by collection: `#/record/profile/<id>`.
    Record(Collection, RecordId),
    Join(String),
    /// The first run's one-time link.
    Setup(String),
}

impl Route {
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let id = |s: &str| RecordId::parse(s).ok();
        match parts.as_slice() {
            ["contact", "new"] => Self::NewContact,
            ["contact", "new", "finder"] => Self::NewContactFromFinder,
            ["contact", i] => id(i).map_or(Self::Records, Self::Contact),
            ["contact", i, "report"] => id(i).map_or(Self::Records, Self::VisitReport),
            ["windows"] => Self::Windows,
            ["window", "new"] => Self::NewWindow,
            ["window", i] => id(i).map_or(Self::Windows, Self::Window),
            ["window", i, "edit"] => id(i).map_or(Self::Windows, Self::EditWindow),
            ["directory"] => Self::Directory,
            ["directory", "import"] => Self::Import,
            ["meetings"] => Self::Meetings,
            ["meeting", "new"] => Self::NewMeeting,
            ["meeting", i] => id(i).map_or(Self::Meetings, Self::Meeting),
            ["item", i] => id(i).map_or(Self::Meetings, Self::Item),
            ["report"] => Self::Report,
            ["settings"] | ["settings", _] => Self::Settings,
            ["record", c, i] => match (Collection::from_id(c), id(i)) {
                (Some(c), Some(i)) => Self::Record(c, i),
                _ => Self::Records,
            },
            ["join", code] => Self::Join((*code).to_owned()),
            ["setup", token] => Self::Setup((*token).to_owned()),
            _ => Self::Records,
        }
    }

    pub fn tab(&self) -> Tab {
        match self {
            Self::Records | Self::NewContact | Self::NewContactFromFinder | Self::Contact(_) | Self::VisitReport(_) | Self::Record(Collection::Contact, _) => Tab::Records,
            Self::Record(Collection::Window | Collection::Correction, _) => Tab::Windows,
            Self::Record(Collection::Meeting | Collection::Attendance | Collection::Item | Collection::ItemUpdate, _) => Tab::Meetings,
            Self::Record(Collection::Profile, _) => Tab::Settings,
            Self::Windows | Self::Window(_) | Self::Directory | Self::NewWindow | Self::EditWindow(_) | Self::Import => Tab::Windows,
            Self::Meetings | Self::NewMeeting | Self::Meeting(_) | Self::Item(_) | Self::Report => Tab::Meetings,
            Self::Settings | Self::Join(_) | Self::Setup(_) => Tab::Settings,
        }
    }
}

/// The current route, following `hashchange`.
pub fn use_route() -> ReadSignal<Route> {
    let current = || Route::parse(&location_hash().unwrap_or_default());
    let (route, set_route) = signal(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(current());
        // `#/settings/profile` scrolls to that part of 設定, once drawn.
        let part = location_hash().unwrap_or_default().rsplit('/').next().unwrap_or("").to_owned();
        request_animation_frame(move || match (!part.is_empty()).then(|| document().get_element_by_id(&part)).flatten() {
            Some(el) => el.scroll_into_view(),
            None => window().scroll_to_with_x_and_y(0.0, 0.0),
        });
    });
    on_cleanup(move || handle.remove());
    route
}

/// Goes to a screen.
pub fn go(hash: &str) {
    let _ = window().location().set_hash(hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routes() {
        assert_eq!(Route::parse("#/"), Route::Records);
        assert_eq!(Route::parse("#/windows"), Route::Windows);
        assert_eq!(Route::parse("#/join/ABCD"), Route::Join("ABCD".into()));
        assert_eq!(Route::parse("#/contact/nope"), Route::Records);
        assert_eq!(Route::parse("#/contact/new/finder"), Route::NewContactFromFinder);
        assert_eq!(Route::parse("#/setup/abc"), Route::Setup("abc".into()));
        assert_eq!(Route::parse("#/settings/profile"), Route::Settings);
        let id = "0190b8a0-0000-7000-8000-000000000001";
        assert_eq!(Route::parse(&format!("#/record/profile/{id}")), Route::Record(Collection::Profile, RecordId::parse(id).unwrap()));
        assert_eq!(Route::parse(&format!("#/record/nonsense/{id}")), Route::Records);
    }
}
