//! Every UI string, in Japanese (the default) and English.
//!
//! A hand-written table rather than an i18n crate: a few hundred strings,
//! checked at compile time (a string missing in one language does not
//! build), no runtime parsing and no ICU data in the bundle. Strings with
//! numbers in them are methods on [`Texts`].

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

const STORAGE_KEY: &str = "nimo.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::Ja => &JA,
            Self::En => &EN,
        }
    }
}

/// The language in use, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Reads the remembered choice (Japanese when none) and provides it.
    pub fn provide() -> Self {
        let saved = LocalStorage::get::<String>(STORAGE_KEY).ok();
        let lang = saved.as_deref().and_then(Lang::from_code).unwrap_or(Lang::Ja);
        let this = Self { lang: RwSignal::new(lang) };
        Effect::new(move |_| {
            let lang = this.lang.get();
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("lang", lang.code());
            }
            document().set_title(lang.texts().app_title);
        });
        provide_context(this);
        this
    }

    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    /// The strings of the current language (reactive).
    pub fn t(self) -> &'static Texts {
        self.lang.get().texts()
    }

    pub fn set(self, lang: Lang) {
        // Remembering is best effort: with storage blocked the choice still
        // holds for this visit.
        let _ = LocalStorage::set(STORAGE_KEY, lang.code());
        self.lang.set(lang);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

macro_rules! texts {
    ($($name:ident: $ja:expr, $en:expr;)*) => {
        pub struct Texts {
            pub lang: Lang,
            $(pub $name: &'static str,)*
        }
        pub static JA: Texts = Texts { lang: Lang::Ja, $($name: $ja,)* };
        pub static EN: Texts = Texts { lang: Lang::En, $($name: $en,)* };
    };
}

texts! {
    app_title: "nimo — ピアサポート・家族会の記録", "nimo — records for peer supporters and families";
    brand: "nimo", "nimo";
    skip_to_main: "本文へ移動", "Skip to content";
    nav_label: "メインメニュー", "Main menu";
    nav_records: "記録", "Records";
    nav_windows: "窓口", "Windows";
    nav_meetings: "協議の場", "Meetings";
    nav_settings: "設定", "Settings";
    online: "オンライン", "Online";
    offline: "オフライン", "Offline";
    offline_hint: "電波がなくても記録できます。つながったら送ります。", "You can keep working; changes are sent when you are back online.";
    update_ready: "新しいバージョンがあります", "A new version is available";
    update_apply: "更新", "Update";

    records_title: "記録", "Records";
    welcome_title: "nimo へようこそ", "Welcome to nimo";
    welcome_body: "相談や訪問の記録、相談窓口さがし、協議の場の記録を、ひとつのアプリで。電波がない場所でも使えます。", "Log conversations and visits, find the right consultation window, and keep track of community meetings — in one app that works without a signal.";
    welcome_privacy: "記録は、はじめは自分だけが見られます。名前ではなく、ニックネームやイニシャルで書きます。", "Records are private to you by default. Use a nickname or initials, never a full name.";

    windows_title: "相談窓口", "Consultation windows";
    meetings_title: "協議の場", "Community meetings (協議の場)";

    settings_title: "設定", "Settings";
    language: "ことば / Language", "Language / ことば";
    lang_ja: "日本語", "日本語 (Japanese)";
    lang_en: "English（英語）", "English";
    about: "このアプリについて", "About";
    version: "バージョン", "Version";
}
