//! The frame around every screen: top bar with the connection status, the
//! update banner, the current screen, and the bottom navigation.

use leptos::prelude::*;

use crate::i18n::{I18n, use_i18n};
use crate::net::Connectivity;
use crate::route::{Screen, use_screen};
use crate::{pwa, screens};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::provide();
    let net = Connectivity::start();
    provide_context(net);
    let screen = use_screen();
    let update_ready = pwa::update_ready();

    view! {
        <a class="skip" href="#main">{move || i18n.t().skip_to_main}</a>
        <header class="topbar">
            <a class="brand" href="#/">{move || i18n.t().brand}</a>
            <Status/>
        </header>
        <Show when=move || update_ready.get()>
            <div class="banner" role="alert">
                <span>{move || i18n.t().update_ready}</span>
                <button class="button" on:click=|_| pwa::apply_update()>{move || i18n.t().update_apply}</button>
            </div>
        </Show>
        <main id="main" class="screen" tabindex="-1">
            {move || match screen.get() {
                Screen::Records => screens::records::Records().into_any(),
                Screen::Windows => screens::windows::Windows().into_any(),
                Screen::Meetings => screens::meetings::Meetings().into_any(),
                Screen::Settings => screens::settings::Settings().into_any(),
            }}
        </main>
        <TabBar screen/>
    }
}

#[component]
fn Status() -> impl IntoView {
    let i18n = use_i18n();
    let net = expect_context::<Connectivity>();
    let online = net.online;
    view! {
        <p class="status" class:offline=move || !online.get() role="status" data-testid="connection">
            <span class="dot" aria-hidden="true"></span>
            {move || if online.get() { i18n.t().online } else { i18n.t().offline }}
        </p>
    }
}

#[component]
fn TabBar(screen: ReadSignal<Screen>) -> impl IntoView {
    let i18n = use_i18n();
    let label = move |tab: Screen| {
        let t = i18n.t();
        match tab {
            Screen::Records => t.nav_records,
            Screen::Windows => t.nav_windows,
            Screen::Meetings => t.nav_meetings,
            Screen::Settings => t.nav_settings,
        }
    };
    view! {
        <nav class="tabbar" aria-label=move || i18n.t().nav_label>
            {Screen::TABS
                .into_iter()
                .map(|tab| {
                    view! {
                        <a
                            href=tab.href()
                            aria-current=move || (screen.get() == tab).then_some("page")
                        >
                            <TabIcon tab/>
                            <span>{move || label(tab)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn TabIcon(tab: Screen) -> impl IntoView {
    // One 24×24 outline path per tab; drawn with currentColor.
    let d = match tab {
        Screen::Records => "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
        Screen::Windows => "M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21zM12 12.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
        Screen::Meetings => "M4 20v-2a4 4 0 0 1 4-4h0a4 4 0 0 1 4 4v2M12 20v-2a4 4 0 0 1 4-4h0a4 4 0 0 1 4 4v2M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
        Screen::Settings => "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1 7 17M17 7l2.1-2.1",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=d/>
        </svg>
    }
}
