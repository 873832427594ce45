//! The frame around every screen: top bar with the connection and sync
//! status, the update banner, the current screen, and the bottom
//! navigation. Before the session is ready it shows the screen for the
//! phase (lock, sign-in, revoked) instead.

use crate::handler;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{I18n, Texts, use_texts};
use crate::net::Connectivity;
use crate::platform::js;
use crate::route::{Route, Tab, use_route};
use crate::state::{self, AppState, Phase, session, sync, tabs};
use crate::{pwa, screens};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::provide();
    let net = Connectivity::start();
    provide_context(net);
    let app = AppState::provide(net);
    let route = use_route();
    let update_ready = pwa::update_ready();
    spawn_local(session::boot(app));
    tabs::listen(app);
    screens::areas::provide_and_load(app.phase);
    watch_idle(app);
    start_sync_once_ready(app);
    #[cfg(feature = "bench")]
    crate::bench::install(app);
    // Everything below re-renders when the language changes (rare), so the
    // views hold plain strings instead of a reactive closure each.
    move || {
        let t: &'static Texts = i18n.t();
        provide_context(t);
        view! { <Frame route update_ready/> }
    }
}

#[component]
fn Frame(route: ReadSignal<Route>, update_ready: ReadSignal<bool>) -> impl IntoView {
    let t = use_texts();
    let app = state::use_app();
    // The page's own join form is only for a device nobody uses yet.
    handler::effect(move |_| {
        if !matches!(app.phase.get(), Phase::Starting | Phase::SignedOut) {
            screens::welcome::retire_page_form();
        }
    });
    view! {
        <a class="skip" href="#main">{t.skip_to_main}</a>
        <header class="topbar">
            <a class="brand" href="#/">{t.brand}</a>
            <Status/>
        </header>
        <Show when=move || update_ready.get()>
            <div class="banner" role="alert">
                <span>{t.update_ready}</span>
                <button class="button" on:click=handler::click(|_| pwa::apply_update())>{t.update_apply}</button>
            </div>
        </Show>
        <main id="main" class="screen" tabindex="-1">
            {move || match app.phase.get() {
                Phase::Starting => view! { <p class="loading" role="status">{t.loading}</p> }.into_any(),
                Phase::NoStorage(detail) => view! {
                    <section class="welcome">
                        <h1>{t.no_storage_title}</h1>
                        <p>{t.no_storage_body}</p>
                        <p class="hint">{detail}</p>
                    </section>
                }.into_any(),
                Phase::Locked => screens::lock::Lock().into_any(),
                Phase::SignedOut => match route.get() {
                    Route::Setup(token) => view! { <screens::welcome::Setup token/> }.into_any(),
                    Route::Join(code) => view! { <screens::welcome::Welcome code/> }.into_any(),
                    _ => view! { <screens::welcome::Welcome/> }.into_any(),
                },
                Phase::SignInAgain => view! { <screens::welcome::Welcome again=true/> }.into_any(),
                Phase::Revoked(reason) => view! { <screens::welcome::Revoked reason/> }.into_any(),
                // Keys to write down come first: shown once, never stored
                // past the person's saying they are written down.
                Phase::Ready => match app.to_keep.get() {
                    Some(keep) => view! { <screens::keep::KeepKeys keep/> }.into_any(),
                    None => view! { <Current route/> }.into_any(),
                },
            }}
        </main>
        // Not under the keys to write down: the sheet stands whatever the
        // route, so the tabs would lead nowhere.
        <Show when=move || app.phase.get() == Phase::Ready && app.to_keep.with(Option::is_none)>
            <TabBar route/>
        </Show>
    }
}

#[component]
fn Current(route: ReadSignal<Route>) -> impl IntoView {
    let app = state::use_app();
    // A flash message shows on the next screen only; a failed tap's alert
    // on its own screen only (it would cover the next one's buttons).
    let flash = RwSignal::new(None::<String>);
    handler::effect(move |_| {
        route.track();
        flash.set(app.flash.get_untracked());
        app.flash.set(None);
        if app.save_failed.get_untracked().is_some() {
            app.save_failed.set(None);
        }
    });
    view! {
        {move || flash.get().map(|m| view! { <p class="notice info" role="status" data-testid="flash">{m}</p> })}
        <Screen route/>
        <SaveFailed/>
    }
}

/// A tap that saved nothing (`api::save`), said above the navigation so
/// that it is seen wherever on the screen the tap was; until it is closed,
/// a later change is saved, or the screen is left.
#[component]
fn SaveFailed() -> impl IntoView {
    let t = use_texts();
    let app = state::use_app();
    move || {
        app.save_failed.get().map(|f| view! {
            <div class="notice error save-failed" role="alert" data-testid="save-failed">
                <p>{t.save_failure(f)}</p>
                <button type="button" class="button secondary small" on:click=handler::click(move |_| app.save_failed.set(None))>{t.close}</button>
            </div>
        })
    }
}

#[component]
fn Screen(route: ReadSignal<Route>) -> impl IntoView {
    move || match route.get() {
        Route::NewContact => view! { <screens::contact::ContactScreen/> }.into_any(),
        Route::NewContactFromFinder => view! { <screens::contact::ContactScreen from_finder=true/> }.into_any(),
        Route::Contact(id) => view! { <screens::contact::ContactScreen id/> }.into_any(),
        Route::VisitReport(id) => view! { <screens::visit_report::VisitReport id/> }.into_any(),
        Route::Records | Route::Join(_) | Route::Setup(_) => screens::records::Records().into_any(),
        Route::Windows => screens::windows::Windows().into_any(),
        Route::Window(id) => view! { <screens::directory::WindowDetail id/> }.into_any(),
        Route::Directory => screens::directory::Directory().into_any(),
        Route::NewWindow => view! { <screens::directory::WindowEditor/> }.into_any(),
        Route::EditWindow(id) => view! { <screens::directory::WindowEditor id/> }.into_any(),
        Route::Import => screens::directory::import::Import().into_any(),
        Route::Meetings => screens::meetings::Meetings().into_any(),
        Route::NewMeeting => view! { <screens::meetings::MeetingScreen/> }.into_any(),
        Route::Meeting(id) => view! { <screens::meetings::MeetingScreen id/> }.into_any(),
        Route::Item(id) => view! { <screens::meetings::ItemScreen id/> }.into_any(),
        Route::Report => screens::meetings::Report().into_any(),
        Route::Settings => screens::settings::Settings().into_any(),
        Route::Record(collection, id) => view! { <screens::record::RecordScreen collection id/> }.into_any(),
    }
}

#[component]
fn Status() -> impl IntoView {
    let t = use_texts();
    let net = expect_context::<Connectivity>();
    let app = state::use_app();
    let online = net.online;
    let unsent = app.sync.unsent;
    view! {
        <p class="status" class:offline=move || !online.get() role="status" data-testid="connection">
            <span class="dot" aria-hidden="true"></span>
            <span class="status-text">{move || if online.get() { t.online } else { t.offline }}</span>
        </p>
        <Show when=move || { unsent.get() > 0 }>
            <a class="status unsent" href="#/settings" data-testid="unsent-badge">{move || t.unsent(unsent.get())}</a>
        </Show>
    }
}

#[component]
fn TabBar(route: ReadSignal<Route>) -> impl IntoView {
    let t = use_texts();
    let label = move |tab: Tab| {
        match tab {
            Tab::Records => t.nav_records,
            Tab::Windows => t.nav_windows,
            Tab::Meetings => t.nav_meetings,
            Tab::Settings => t.nav_settings,
        }
    };
    view! {
        <nav class="tabbar" aria-label=t.nav_label>
            {Tab::ALL
                .into_iter()
                .map(|tab| {
                    view! {
                        <a href=tab.href() aria-current=move || (route.get().tab() == tab).then_some("page")>
                            <TabIcon tab/>
                            <span>{label(tab)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn TabIcon(tab: Tab) -> impl IntoView {
    // One 24×24 outline path per tab; drawn with currentColor.
    let d = match tab {
        Tab::Records => "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
        Tab::Windows => "M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21zM12 12.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
        Tab::Meetings => "M4 20v-2a4 4 0 0 1 4-4h0a4 4 0 0 1 4 4v2M12 20v-2a4 4 0 0 1 4-4h0a4 4 0 0 1 4 4v2M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
        Tab::Settings => "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1 7 17M17 7l2.1-2.1",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=d/>
        </svg>
    }
}

/// Starts the sync triggers the first time the session is ready.
fn start_sync_once_ready(app: AppState) {
    let started = StoredValue::new(false);
    handler::effect(move |_| {
        if app.phase.get() == Phase::Ready && !started.get_value() {
            started.set_value(true);
            sync::start_triggers(app);
        }
    });
}

/// Locks the app after the chosen idle time without a touch or a key.
fn watch_idle(app: AppState) {
    let last = StoredValue::new(js::now_ms());
    let h1 = window_event_listener(leptos::ev::pointerdown, move |_| last.set_value(js::now_ms()));
    let h2 = window_event_listener(leptos::ev::keydown, move |_| last.set_value(js::now_ms()));
    let check = move || {
        let Some(config) = app.lock.get_untracked() else { return };
        if app.phase.get_untracked() != Phase::Ready {
            return;
        }
        let idle_ms = u64::from(config.idle_minutes) * 60_000;
        if js::now_ms().saturating_sub(last.get_value()) >= idle_ms {
            session::lock_now(app);
        }
    };
    let h3 = set_interval_with_handle(check, Duration::from_secs(15)).ok();
    // Coming back to a phone left alone: check at once.
    let h4 = window_event_listener_untyped("visibilitychange", move |_| check());
    on_cleanup(move || {
        h1.remove();
        h2.remove();
        h4.remove();
        if let Some(h) = h3 {
            h.clear();
        }
    });
}
