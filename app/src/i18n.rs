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

    pub fn t_untracked(self) -> &'static Texts {
        self.lang.get_untracked().texts()
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

/// The strings of the language the screen was rendered in. Not reactive:
/// the shell re-renders everything when the language changes, so views can
/// hold plain `&'static str` (far less code than a reactive closure per
/// string).
pub fn use_texts() -> &'static Texts {
    use_context::<&'static Texts>().unwrap_or(&JA)
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
    lang_self: "日本語", "English";
    // Starting and storage
    loading: "読み込み中…", "Loading…";
    no_storage_title: "この端末に保存できません", "nimo cannot store data here";
    no_storage_body: "ブラウザの設定（プライベートモードなど）で保存が止められています。通常のモードで開いてください。", "The browser blocks storage (private mode?). Open nimo in a normal window.";

    // Welcome, join, sign in
    welcome_lead: "ピアサポーター・家族会のための記録アプリです。", "Records for peer supporters and family associations.";
    join_title: "招待コードで参加する", "Join with an invite code";
    join_lead: "コーディネーターからもらった招待コードを入れてください。", "Enter the invite code your coordinator gave you.";
    login_title: "ログイン", "Sign in";
    login_again_lead: "もう一度ログインしてください。この端末の記録と未送信の変更は残っています。", "Please sign in again. Your records and unsent changes are still on this device.";
    invite_code: "招待コード", "Invite code";
    invite_code_hint: "例：ABCD-EFGH-JKMN", "e.g. ABCD-EFGH-JKMN";
    login_name: "ログインID", "Login name";
    login_name_hint: "半角英数字など 2〜32文字。ログインのときに使います。", "2–32 letters or digits; used to sign in.";
    display_name: "表示名", "Display name";
    display_name_hint: "グループの人に見える名前（ニックネームで大丈夫です）", "The name your group sees (a nickname is fine)";
    passphrase: "パスフレーズ", "Passphrase";
    passphrase_hint: "8文字以上。長い文でも大丈夫です。", "At least 8 characters; a sentence is fine.";
    passphrase_again: "パスフレーズ（もう一度）", "Passphrase (again)";
    passphrase_mismatch: "2つのパスフレーズが違います", "The two passphrases differ";
    device_name: "この端末の名前", "Name of this device";
    join_button: "参加する", "Join";
    login_button: "ログインする", "Sign in";
    have_account: "すでにアカウントがある人", "Already have an account?";
    have_invite: "招待コードをもらった人", "Got an invite code?";
    other_user_warning: "この端末には別の人の未送信の変更が残っています。続けると消えます。", "This device holds another person's unsent changes. Continuing erases them.";
    working: "処理中…", "Working…";

    // Errors, in plain words
    err_network: "サーバーにつながりません。電波のある場所でもう一度お試しください。", "Cannot reach the server. Try again where you have a signal.";
    err_credentials: "ログインIDかパスフレーズが違います。", "Wrong login name or passphrase.";
    err_throttled: "何度も失敗したため、しばらく受け付けません。しばらくしてからお試しください。", "Too many attempts. Please try again later.";
    err_invite_unknown: "招待コードが見つかりません。もう一度確かめてください。", "That invite code was not found. Please check it.";
    err_invite_expired: "この招待コードは期限切れです。コーディネーターに新しいコードをもらってください。", "This invite has expired. Ask your coordinator for a new one.";
    err_invite_used: "この招待コードはもう使われています。", "This invite has already been used.";
    err_invite_revoked: "この招待コードは取り消されました。", "This invite was cancelled.";
    err_login_taken: "このログインIDはすでに使われています。別のIDにしてください。", "That login name is taken. Choose another.";
    err_forbidden: "この操作はできません（権限がありません）。", "You are not allowed to do this.";
    err_outdated: "アプリを更新してください。古い版のままでは送信できません。", "Please update the app; this version can no longer send.";
    err_storage_full: "この端末の保存容量がいっぱいです。写真や使っていないアプリを整理してから、もう一度お試しください。入力した内容は消えていません。", "This device's storage is full. Free some space and try again; nothing you typed is lost.";
    err_server: "サーバーで問題が起きました。時間をおいてお試しください。", "The server had a problem. Please try again later.";
    err_required: "入力してください", "Required";
    err_invalid: "正しくありません", "Not valid";
    err_passphrase_short: "8文字以上にしてください", "At least 8 characters";
    err_passphrase_long: "長すぎます（256文字まで）", "Too long (at most 256 characters)";
    err_passphrase_login: "ログインIDと同じにはできません", "Must differ from the login name";
    err_passphrase_common: "よく使われていて、すぐに当てられてしまうパスフレーズです。ほかのものにしてください", "This passphrase is among the most used and is guessed at once; please choose another";
    err_passphrase_repetitive: "同じ文字のくり返しや「12345678」のような並びは、すぐに当てられてしまいます", "Repeated characters or runs like 12345678 are guessed at once";
    err_passphrase_weak: "当てられやすいパスフレーズです。単語を3つ以上つなげた文にすると安全です（例：あおい うみ を みる）", "Easy to guess; three or more words make a safe passphrase";
    passphrase_title: "パスフレーズを変える", "Change your passphrase";
    passphrase_lead: "変えると、ほかの端末はログアウトします（この端末はそのままです）。", "Changing it signs out your other devices (this one stays signed in).";
    passphrase_current: "いまのパスフレーズ", "Current passphrase";
    passphrase_new: "新しいパスフレーズ", "New passphrase";
    passphrase_changed: "パスフレーズを変えました。ほかの端末はログアウトしました。", "Passphrase changed; your other devices were signed out.";
    err_login_format: "2〜32文字の英数字・かな・漢字（記号は . _ - だけ）", "2–32 letters or digits (only . _ - as symbols)";
    err_code_format: "12文字のコードを入れてください", "Enter the 12-character code";

    // Revoked
    revoked_title: "この端末は利用停止になりました", "This device was signed out";
    revoked_by_user: "あなたの別の端末から、この端末の利用が止められました。この端末に保存されていた記録は消去しました。", "This device was signed out from another of your devices. The records stored here were erased.";
    revoked_removed: "グループから外れたため、この端末の記録は消去しました。", "You were removed from the group; the records on this device were erased.";
    revoked_other: "この端末の利用が止められたため、保存されていた記録は消去しました。", "This device was signed out; the records stored here were erased.";
    revoked_passphrase: "パスフレーズが変えられたため、この端末はログアウトしました。この端末に保存されていた記録は消去しました。新しいパスフレーズでログインしてください。", "The passphrase was changed, so this device was signed out and its records erased. Sign in with the new passphrase.";
    refused_deleted: "記録が削除されていたため、保存できませんでした。", "The record had been deleted, so this could not be saved.";
    refused_forbidden: "この変更をする権限がありませんでした。", "You were not allowed to make this change.";
    refused_invalid: "内容に正しくないところがありました。", "Something in it was not valid.";
    refused_too_large: "大きすぎて保存できませんでした。", "It was too large to save.";
    refused_other: "サーバーが受け付けませんでした。", "The server did not accept it.";
    revoked_again: "もう一度ログインする", "Sign in again";

    // Lock
    lock_title: "ロック中", "Locked";
    lock_lead: "PINを入れてください。", "Enter your PIN.";
    pin: "PIN（暗証番号・パスフレーズ）", "PIN or passphrase";
    unlock_button: "開く", "Unlock";
    wrong_pin: "PINが違います。", "Wrong PIN.";
    forgot_pin: "PINを忘れたとき", "Forgot the PIN?";
    forgot_pin_body: "この端末の記録を消して、ログインからやり直せます。送信済みの記録はサーバーに残っています。未送信の変更は消えます。", "You can erase this device and sign in again. Records already sent are on the server; unsent changes are lost.";
    forgot_pin_erase: "この端末の記録を消す", "Erase this device";

    // Sync status
    sync_title: "同期", "Sync";
    last_sync: "最終同期", "Last sync";
    never: "まだ同期していません", "Not yet synced";
    sync_now: "今すぐ同期", "Sync now";
    syncing: "同期中…", "Syncing…";
    all_sent: "すべて送信済み", "Everything sent";
    sync_offline: "オフラインです。つながったら自動で送ります。", "Offline. Changes are sent when you are back online.";
    rejected_title: "送信できなかった変更", "Changes the server refused";
    rejected_lead: "サーバーが受け付けなかった変更です。書いた内容はここに残っています。", "The server did not accept these changes. What you wrote is kept here.";

    // Account and groups
    account: "アカウント", "Account";
    current_group: "いまのグループ", "Current group";
    role_coordinator: "コーディネーター", "Coordinator";
    role_member: "メンバー", "Member";
    join_group_title: "別のグループに参加する", "Join another group";
    join_group_button: "参加する", "Join";
    sign_out: "サインアウト", "Sign out";
    sign_out_warning: "サインアウトすると、この端末の記録を消します。", "Signing out erases the records on this device.";
    sign_out_unsent: "まだ送信していない変更があります。サインアウトすると消えます。", "There are unsent changes. Signing out erases them.";
    devices_title: "ログイン中の端末", "Signed-in devices";
    this_device: "この端末", "This device";
    revoke_device: "利用停止", "Sign out";
    revoke_device_confirm: "この端末を利用停止にしますか？ 次につながったとき、その端末の記録は消えます。", "Sign this device out? Its records are erased the next time it connects.";
    members_title: "メンバー", "Members";
    remove_member: "グループから外す", "Remove";
    remove_member_confirm: "このメンバーをグループから外しますか？ その人の端末はすべて利用停止になります。", "Remove this member? All their devices are signed out.";
    make_coordinator: "コーディネーターにする", "Make coordinator";
    make_member: "メンバーに戻す", "Make member";
    invites_title: "招待", "Invites";
    new_invite: "招待をつくる", "Create an invite";
    invite_role: "役割", "Role";
    invite_days: "有効期間（日）", "Valid for (days)";
    invite_uses: "使える人数", "Number of uses";
    invite_created: "招待コードができました。このコードは今だけ表示されます。", "Invite created. The code is shown only now.";
    invite_link: "招待リンク", "Invite link";
    copy: "コピー", "Copy";
    copied: "コピーしました", "Copied";
    revoke_invite: "取り消す", "Cancel";
    invite_state_live: "有効", "Active";
    invite_state_used: "使用済み", "Used up";
    invite_state_expired: "期限切れ", "Expired";
    invite_state_revoked: "取り消し済み", "Cancelled";

    // App lock settings
    lock_settings: "アプリのロック", "App lock";
    lock_settings_lead: "PINを決めると、この端末の記録を暗号化して保存し、しばらく触らないと自動でロックします。", "With a PIN, records on this device are stored encrypted and the app locks when left alone.";
    lock_on: "ロック：オン", "Lock: on";
    lock_off: "ロック：オフ", "Lock: off";
    new_pin: "新しいPIN（6文字以上。数字でも文でも）", "New PIN (6+ characters, digits or words)";
    new_pin_again: "新しいPIN（もう一度）", "New PIN (again)";
    current_pin: "いまのPIN", "Current PIN";
    pin_mismatch: "2つのPINが違います", "The two PINs differ";
    pin_too_short: "6文字以上にしてください", "At least 6 characters";
    lock_enable: "ロックをオンにする", "Turn the lock on";
    lock_disable: "ロックをオフにする", "Turn the lock off";
    lock_change: "PINを変える", "Change the PIN";
    lock_now: "今すぐロック", "Lock now";
    idle_minutes: "自動ロックまでの時間", "Lock after";
    minutes_1: "1分", "1 minute";
    minutes_5: "5分", "5 minutes";
    minutes_15: "15分", "15 minutes";
    minutes_30: "30分", "30 minutes";
    saved: "保存しました", "Saved";

    // Storage
    storage_title: "この端末への保存", "Storage on this device";
    persisted_yes: "ブラウザが勝手に消さない設定になっています。", "The browser will not clear nimo's data on its own.";
    persisted_no: "ブラウザが容量不足のときに消すことがあります。ホーム画面に追加すると安全です。", "The browser may clear data when space runs low. Add nimo to the home screen to keep it.";
    ios_hint: "iPhone・iPadでは、ホーム画面に追加して使ってください（Safariは7日間使わないと保存データを消すことがあります）。", "On iPhone and iPad, add nimo to the home screen (Safari may delete data after 7 days without use).";
    data_sources: "データの出典：全国地方公共団体コード（総務省）、全国の相談窓口（各機関の公表資料、確認日つき）。", "Data: local government codes (MIC); national lines (each operator's public page, with the date checked).";

    // Contacts: list
    new_contact: "＋ 記録する", "+ New record";
    search: "さがす", "Search";
    search_hint: "ニックネーム・悩み・メモから（ひらがなでもカタカナでも）", "Nickname, worries, notes";
    filters: "しぼりこむ", "Filter";
    filter_worry: "悩み", "Worry";
    filter_mode: "相談の形", "Mode";
    filter_from: "この日から", "From";
    filter_to: "この日まで", "To";
    filter_status: "状態", "Status";
    filter_referral: "紹介の状態", "Referral";
    any: "すべて", "All";
    overdue_title: "期限切れのフォローアップ", "Overdue follow-ups";
    today_title: "今日のフォローアップ", "Follow-ups today";
    recent_title: "最近の記録", "Recent records";
    no_contacts: "まだ記録はありません。「＋ 記録する」から始めましょう。", "No records yet. Start with “+ New record”.";
    no_results: "見つかりませんでした。", "Nothing found.";
    show_more: "もっと見る", "Show more";
    badge_risk: "危険", "Risk";
    badge_shared: "共有", "Shared";
    badge_open: "対応中", "Open";
    badge_closed: "終了", "Closed";
    badge_overdue: "期限切れ", "Overdue";
    export_title: "書き出し・集計", "Export and counts";
    export_csv: "CSVで書き出す（Excel用）", "Export CSV (for Excel)";
    export_json: "JSONで書き出す", "Export JSON";
    monthly_title: "月ごとの件数", "Monthly counts";
    monthly_csv: "月ごとの件数をCSVで", "Monthly counts as CSV";
    month: "月", "Month";
    mine_only: "自分の記録だけを書き出します。", "Only your own records are exported.";

    // Contacts: form
    contact_new_title: "記録する", "New record";
    contact_edit_title: "記録を直す", "Edit record";
    date: "日付", "Date";
    time: "時刻", "Time";
    duration: "かかった時間（分）", "Duration (minutes)";
    mode: "相談の形", "Mode";
    mode_in_person: "対面", "In person";
    mode_phone: "電話", "Phone";
    mode_visit: "訪問", "Home visit";
    mode_hospital: "病院訪問", "Hospital visit";
    mode_online: "オンライン・SNS", "Online / SNS";
    mode_accompany: "同行", "Accompanying";
    person: "相手（ニックネームかイニシャル）", "Person (nickname or initials)";
    person_hint: "フルネームは書きません。", "Never a full name.";
    caller: "相談してきた人", "Who came";
    caller_self: "本人", "The person";
    caller_family: "家族", "Family";
    caller_supporter: "支援者", "Supporter";
    caller_other: "その他", "Other";
    relation: "本人との関係（例：母）", "Relation to the person (e.g. mother)";
    age_band: "年代", "Age";
    age_under_20: "〜19歳", "under 20";
    age_20s: "20代", "20s";
    age_30s: "30代", "30s";
    age_40s: "40代", "40s";
    age_50s: "50代", "50s";
    age_60s: "60代", "60s";
    age_70s: "70代", "70s";
    age_80_plus: "80代以上", "80+";
    age_unknown: "わからない", "Unknown";
    area: "住んでいる地域", "Area";
    worries: "悩み（いくつでも）", "Worries (any number)";
    more_worries: "ほかの悩み", "More worries";
    unmet_worries: "窓口が見つからなかった悩み", "Worries no window fitted";
    actions: "したこと", "What was done";
    action_listening: "傾聴", "Listening";
    action_information: "情報提供", "Information";
    action_accompany: "同行", "Accompanying";
    action_referral: "紹介", "Referral";
    action_coordination: "連絡調整", "Coordination";
    action_other: "その他", "Other";
    note: "メモ（本人の言葉で）", "Notes (in the person's words)";
    referrals: "紹介先", "Referrals";
    referral_add: "紹介先を追加", "Add a referral";
    referral_name: "窓口の名前", "Window's name";
    ref_referred: "紹介した", "Referred";
    ref_contacted: "連絡がついた", "Reached";
    ref_started: "支援開始", "Support started";
    ref_not_connected: "つながらず", "Not connected";
    remove: "はずす", "Remove";
    follow_up: "フォローアップ日", "Follow-up date";
    risk: "危険がある（自殺・他害のおそれなど）", "At risk (suicide, harm)";
    closed: "この件は終了", "Closed";
    shared: "グループと共有する", "Share with the group";
    shared_hint: "共有しないと、自分だけが見られます。", "If not shared, only you can see it.";
    details: "くわしく入力", "More details";
    save: "保存", "Save";
    delete: "削除", "Delete";
    delete_confirm: "この記録を削除しますか？ ほかの端末からも消えます。", "Delete this record? It disappears from other devices too.";
    draft_restored: "入力途中の下書きを戻しました。", "Your unsaved draft was restored.";
    discard_draft: "下書きを捨てる", "Discard the draft";
    saved_local: "保存しました。", "Saved.";
    not_found: "見つかりません。", "Not found.";
    conflict_title: "別の端末でも編集されました", "Edited on another device too";
    remote_changed: "別の端末で更新されました", "Updated on another device";
    remote_changed_lead: "この記録を開いている間に、次のところが変わりました。あなたが書いたところはそのままです。保存すると、あなたが変えたところだけが保存されます。", "While this record was open, these changed. What you typed is kept; saving stores only what you changed.";
    remote_deleted: "この記録は別の端末で削除されました。書いた内容は下書きに残っています。", "This record was deleted on another device. What you typed is kept as a draft.";
    err_deleted_while_editing: "この記録は別の端末で削除されたため、保存できませんでした。書いた内容は下書きに残っています。", "This record was deleted on another device, so it could not be saved. What you typed is kept as a draft.";
    conflict_lead: "こちらの文は上書きされました。どうしますか？", "This text was overwritten. What should happen to it?";
    conflict_use: "この文に置き換える", "Use this text";
    conflict_append: "両方つなげて残す", "Keep both";
    conflict_dismiss: "これは消す", "Discard it";
    hospital_section: "入院者訪問支援", "Hospital visit";
    hospital_role: "訪問支援員の役割は、本人の話を聞き、情報を伝えることです。本人に代わって問題を解決したり、サービスを手配したりはしません。病院での虐待に気づいたときは、都道府県に通報する義務があります。", "A visitor listens and gives information; they do not solve problems on the person's behalf or arrange services. Abuse seen in a hospital must be reported to the prefecture.";
    partner: "ペアの訪問者", "Visiting partner";
    hospital: "病院", "Hospital";
    wish_method: "訪問の希望を確認した方法", "How the wish for a visit was confirmed";
    wish_phone: "電話", "Phone";
    wish_letter: "手紙", "Letter";
    wish_in_person: "面会で", "In person";
    wish_via_staff: "病院職員を通じて", "Through hospital staff";
    wish_other: "その他", "Other";
    wish_date: "確認した日", "Date confirmed";
    visit_report: "実施報告", "Visit report";
    visit_report_copy: "報告文をコピー", "Copy the report";
    visit_report_export: "報告をテキストで書き出す", "Export the report as text";

    // Problems
    p_required: "入力してください", "Required";
    p_too_long: "長すぎます。短くしてください", "Too long; please shorten it";
    p_bad_date: "日付が正しくありません", "Not a valid date";
    p_bad_time: "時刻が正しくありません", "Not a valid time";
    p_follow_before: "フォローアップ日は記録の日より後にしてください", "The follow-up must come after the record's date";
    p_full_name: "フルネームは書かないでください（ニックネームかイニシャルで）", "No full names, please (use a nickname or initials)";
    p_number: "数字で入れてください", "Enter a number";
    p_area: "地域が正しくありません", "Not a valid area";
    form_has_problems: "直してほしいところがあります。", "Please fix the marked fields.";

    // Crisis
    crisis_button: "いのちの危険があるとき", "If a life is in danger";
    crisis_title: "いまの危険に", "When someone is in danger now";
    crisis_lead: "命の危険があるときは、迷わず119番・110番へ。電話は番号を押すとかけられます。", "If a life is in danger, call 119 or 110 now. Tap a number to call.";
    crisis_local: "この地域の精神科救急（グループの窓口リストから）", "Psychiatric emergency for this area (from your group's directory)";
    crisis_none_local: "グループの窓口リストに精神科救急情報センターがまだありません。", "Your group's directory has no psychiatric emergency centre yet.";
    source_checked: "確認日", "Checked";
    source_unknown: "確認日不明", "Date unknown";
    needs_check: "要確認", "Needs checking";
    close: "閉じる", "Close";
    change: "変更", "Change";
    area_hint: "市区町村名（ひらがなでも）", "Municipality (kana or kanji)";

    // Window finder
    finder_lead: "困っていることと、住んでいる地域を選んでください。近い窓口から順に出ます。", "Pick what troubles the person and where they live; the nearest windows come first.";
    finder_worries: "困っていること", "What troubles the person";
    finder_area: "住んでいる地域", "Where they live";
    finder_pick_worry: "困っていることを選ぶと、窓口が出ます。", "Pick a worry to see windows.";
    why: "なぜこの窓口？", "Why this window?";
    open_now: "受付中", "Open now";
    closing_soon: "まもなく終了", "Closing soon";
    closed_today: "本日は終了", "Closed for today";
    closed_now: "時間外", "Closed now";
    hours_unknown: "受付時間の情報なし", "Hours unknown";
    until: "まで", "until";
    fax: "FAX", "Fax";
    email: "メール", "Email";
    website: "ホームページ", "Website";
    map: "地図で見る", "Map";
    add_referral: "記録に紹介先として追加", "Add to a record as a referral";
    directory_title: "グループの窓口リスト", "Your group's directory";
    directory_link: "窓口リストを見る・直す", "View or edit the directory";
    directory_empty: "まだ窓口が登録されていません。", "No windows yet.";
    add_window: "＋ 窓口を追加", "+ Add a window";
    import_export: "読み込み・書き出し", "Import and export";
    needs_verify: "要確認", "Needs checking";
    retired: "廃止・休止", "Retired";
    show_retired: "廃止・休止したものも表示", "Show retired windows";
    verified_on: "最終確認日", "Last checked";
    source: "情報の出典", "Source";
    correction_title: "情報が違う", "Report wrong information";
    correction_lead: "どこが違っていたか書いてください。コーディネーターが確かめて直します。", "Tell us what is wrong; a coordinator checks and fixes it.";
    correction_send: "送る", "Send";
    correction_sent: "送りました。ありがとうございます。", "Sent. Thank you.";
    corrections_title: "届いた「情報が違う」", "Reports of wrong information";
    correction_applied: "直した", "Fixed";
    correction_dismissed: "問題なし", "No change needed";
    edit: "直す", "Edit";
    verify_today: "今日確認した", "Checked today";
    retire: "廃止・休止にする", "Mark as retired";
    unretire: "再開にする", "Mark as active";
    window_new_title: "窓口を追加", "Add a window";
    window_edit_title: "窓口を直す", "Edit window";
    window_name: "名前", "Name";
    window_kana: "よみがな", "Reading";
    window_type: "窓口の種類", "Kind of window";
    window_areas: "受け持つ地域", "Areas served";
    add_area: "この地域を追加", "Add this area";
    whole_prefecture: "都道府県全体", "Whole prefecture";
    nationwide: "全国", "Nationwide";
    address: "住所", "Address";
    phones: "電話番号", "Phone numbers";
    phone_note: "電話のメモ（例：夜間）", "Note (e.g. nights)";
    add_phone: "電話番号を追加", "Add a number";
    url: "ホームページ（https://…）", "Website (https://…)";
    channels: "相談のしかた", "Ways to consult";
    ch_phone: "電話", "Phone";
    ch_visit_in: "来所", "In person";
    ch_outreach: "訪問", "Home visit";
    ch_email: "メール", "Email";
    ch_fax: "FAX", "Fax";
    ch_sns: "SNS", "SNS";
    hours: "受付時間", "Hours";
    add_session: "時間帯を追加", "Add hours";
    opens: "開始", "Opens";
    closes: "終了", "Closes";
    closed_holidays: "祝日は休み", "Closed on national holidays";
    closed_new_year: "年末年始（12/29〜1/3）は休み", "Closed over New Year (12/29–1/3)";
    reservation: "予約が必要", "Appointment needed";
    anonymous_ok: "名前を言わずに相談できる", "Anonymous consultation";
    for_whom: "だれの相談を受けるか", "For whom";
    for_self: "本人", "The person";
    for_family: "家族", "Family";
    for_supporter: "支援者", "Supporters";
    window_note: "メモ", "Notes";
    w_required: "入力してください", "Required";
    w_too_long: "長すぎます", "Too long";
    w_bad_phone: "電話番号は数字とハイフンで入れてください", "Use digits and hyphens";
    w_bad_email: "メールアドレスが正しくありません", "Not an email address";
    w_bad_url: "https:// から始めてください", "Start with https://";
    w_bad_time: "時刻が正しくありません（例 9:00）", "Not a time (e.g. 9:00)";
    w_bad_date: "日付が正しくありません", "Not a date";
    w_no_days: "曜日を選んでください", "Pick the days";
    w_bad_number: "数字が正しくありません", "Not a valid number";
    import_title: "窓口リストの読み込み", "Import windows";
    import_lead: "自治体のオープンデータ（施設一覧のCSV。UTF-8でもShift_JISでも）か、nimoで書き出したJSONを読み込めます。読み込む前に中身を確認できます。", "Read a municipal open-data facility list (CSV, UTF-8 or Shift_JIS) or a JSON exported by nimo. You see a preview first.";
    import_file: "ファイルを選ぶ", "Choose a file";
    import_type: "読み込む窓口の種類（CSVのとき）", "Kind of window (for CSV)";
    import_preview: "読み込む内容", "What will be added";
    import_ok_rows: "追加できる窓口", "Windows to add";
    import_bad_rows: "問題のある行", "Rows with problems";
    import_blocked: "問題のある行があるので、このファイルは読み込みません。元のファイルを直してから、もう一度選んでください。", "This file has problems, so nothing is imported. Fix the file and choose it again.";
    import_bad_file: "このファイルは読めません", "This file cannot be read";
    import_run: "読み込む", "Import";
    import_done: "読み込みました", "Imported";
    line: "行", "Line";
    export_hsds: "窓口リストをJSONで書き出す（HSDS形式）", "Export the directory as JSON (HSDS)";

    // Meetings
    new_meeting: "＋ 会議を追加", "+ Add a meeting";
    upcoming: "これからの会議", "Upcoming";
    past: "これまでの会議", "Past";
    no_meetings: "まだ会議がありません。", "No meetings yet.";
    ics_download: "予定をカレンダーに入れる（.ics）", "Add to calendar (.ics)";
    report_link: "年度の報告", "Year report";
    meeting_new_title: "会議を追加", "Add a meeting";
    meeting_body: "会議の名前（例：○○市 にも包括 協議の場）", "Name of the body";
    meeting_level: "レベル", "Level";
    level_municipal: "市町村", "Municipality";
    level_area: "障害保健福祉圏域", "Health area";
    level_prefecture: "都道府県", "Prefecture";
    start: "開始", "Starts";
    end: "終了", "Ends";
    place: "場所", "Place";
    online_meeting: "オンライン", "Online";
    agenda: "議題", "Agenda";
    axes: "取り組んだこと", "What it worked on";
    axis_individual: "個別支援の検討", "Individual support";
    axis_system: "支援体制の整備", "Support system";
    axis_base: "地域基盤の整備", "Community resources";
    meeting_status: "状態", "Status";
    ms_planned: "予定", "Planned";
    ms_held: "開催済", "Held";
    ms_cancelled: "中止", "Cancelled";
    minutes: "記録・議事メモ", "Minutes";
    attendance_title: "だれが出るか", "Who attends";
    members_offline: "メンバーの一覧はオンラインのときに読み込みます。", "The member list loads when online.";
    capacity: "立場", "As";
    cap_peer: "ピアサポーター", "Peer supporter";
    cap_family: "家族", "Family";
    cap_self: "本人", "Person with lived experience";
    will_attend: "参加予定", "Will attend";
    attended: "出席した", "Attended";
    prep: "準備メモ", "Preparation notes";
    items_title: "提起事項", "Items raised";
    new_item: "＋ 提起事項を追加", "+ Raise an item";
    item_title: "提起すること", "What is raised";
    item_detail: "くわしく", "Details";
    taken_by: "会議で受けた人・部署", "Taken by (in the meeting)";
    homework_title: "前回からの宿題", "Homework from last time";
    homework_none: "前回からの宿題はありません。", "No open items from earlier meetings.";
    carry_here: "この会議に持ち越す", "Carry to this meeting";
    carried_note: "前回から持ち越し", "Carried over from last time";
    item_status: "いまの状態", "Status";
    st_accepted: "受理", "Accepted";
    st_considering: "検討中", "Under consideration";
    st_done: "対応済", "Done";
    st_declined: "見送り", "Declined";
    st_carried: "持越し", "Carried over";
    history_title: "経過", "History";
    add_update: "経過を記録", "Record progress";
    update_note: "メモ", "Note";
    raised_by: "提起した人", "Raised by";
    raised_at: "取り上げた会議", "Raised at";
    evidence_title: "記録からの根拠", "Evidence from records";
    evidence_lead: "グループで共有した記録から、人数を数えます（3件未満は「3未満」と表示し、だれか分からないようにします）。", "Counts from the group's shared records (under 3 is shown as “under 3” so that nobody can be recognised).";
    evidence_from: "期間のはじめ", "From";
    evidence_to: "期間のおわり", "To";
    evidence_attach: "この根拠をつける", "Attach this evidence";
    evidence_attached: "つけた根拠", "Attached evidence";
    ev_contacts: "記録の数", "Records";
    ev_worries: "悩み", "Worries";
    ev_modes: "相談の形", "Modes";
    ev_not_connected: "紹介してもつながらなかった", "Referrals not connected";
    ev_unmet: "窓口が見つからなかった悩み", "Worries with no window";
    ev_period: "期間", "Period";
    year_report_title: "年度の報告", "Year report";
    fiscal_year: "年度", "Fiscal year";
    meetings_by_level: "レベル別の会議", "Meetings by level";
    attendance_by_member: "メンバーの参加", "Attendance by member";
    items_by_status: "提起事項と状態", "Items and their status";
    print: "印刷する", "Print";
    report_csv: "CSVで書き出す", "Export CSV";
    count_held: "開催", "Held";
    count_planned: "予定", "Planned";
    count_cancelled: "中止", "Cancelled";
    count_attended: "出席", "Attended";

    about: "このアプリについて", "About";
    version: "バージョン", "Version";
}

use nimo_core::api::ErrorCode;
use nimo_core::client::TransportError;
use nimo_core::collection::Role;
use nimo_core::time::JstDateTime;

impl Texts {
    pub fn is_ja(&self) -> bool {
        self.lang == Lang::Ja
    }

    /// 「未送信 3件」
    pub fn unsent(&self, n: usize) -> String {
        if self.is_ja() { format!("未送信 {n}件") } else { format!("{n} not sent") }
    }

    pub fn count(&self, n: usize) -> String {
        if self.is_ja() { format!("{n}件") } else { n.to_string() }
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Coordinator => self.role_coordinator,
            Role::Member => self.role_member,
        }
    }

    /// A moment in Japan time: 「11月24日(火) 10:30」 / "Tue 24 Nov 10:30".
    pub fn moment(&self, unix_ms: u64) -> String {
        let t = JstDateTime::from_unix_ms(unix_ms as i64);
        self.datetime(t)
    }

    pub fn datetime(&self, t: JstDateTime) -> String {
        format!("{} {}", self.date(t.date), t.time)
    }

    pub fn date(&self, d: nimo_core::time::Date) -> String {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        if self.is_ja() {
            format!("{}年{}月{}日({})", d.year(), d.month(), d.day(), d.weekday().ja())
        } else {
            format!("{} {} {} {}", d.weekday().en(), d.day(), MONTHS[usize::from(d.month() - 1)], d.year())
        }
    }

    /// What went wrong with a request, in plain words.
    pub fn api_error(&self, e: &TransportError) -> String {
        match e {
            TransportError::Network(_) => self.err_network.into(),
            TransportError::Decode(_) => self.err_server.into(),
            TransportError::Api { body, .. } => match body.error {
                ErrorCode::InvalidCredentials => self.err_credentials.into(),
                ErrorCode::Throttled => self.err_throttled.into(),
                ErrorCode::InviteInvalid => match body.detail.as_deref() {
                    Some("expired") => self.err_invite_expired.into(),
                    Some("used_up") => self.err_invite_used.into(),
                    Some("revoked") => self.err_invite_revoked.into(),
                    _ => self.err_invite_unknown.into(),
                },
                ErrorCode::LoginTaken => self.err_login_taken.into(),
                ErrorCode::Forbidden => self.err_forbidden.into(),
                ErrorCode::ClientOutdated => self.err_outdated.into(),
                ErrorCode::InvalidField => match body.field.as_deref() {
                    Some("passphrase") => body
                        .detail
                        .as_deref()
                        .and_then(nimo_core::passphrase::Problem::from_code)
                        .map_or(self.err_passphrase_weak, |p| self.passphrase_problem(p))
                        .into(),
                    Some("login") => self.err_login_format.into(),
                    Some("code") => self.err_code_format.into(),
                    Some(field) => format!("{} ({field})", self.err_invalid),
                    None => self.err_invalid.into(),
                },
                _ => self.err_server.into(),
            },
        }
    }

    /// Why a new passphrase is not accepted, in plain words.
    pub fn passphrase_problem(&self, p: nimo_core::passphrase::Problem) -> &'static str {
        use nimo_core::passphrase::Problem as P;
        match p {
            P::TooShort => self.err_passphrase_short,
            P::TooLong => self.err_passphrase_long,
            P::SameAsLogin => self.err_passphrase_login,
            P::Common => self.err_passphrase_common,
            P::Repetitive => self.err_passphrase_repetitive,
            P::Weak => self.err_passphrase_weak,
        }
    }

    pub fn worry(&self, w: nimo_core::taxonomy::Worry) -> &'static str {
        if self.is_ja() { w.ja() } else { w.en() }
    }

    pub fn mode_label(&self, mode: &str) -> &'static str {
        match mode {
            "in_person" => self.mode_in_person,
            "phone" => self.mode_phone,
            "visit" => self.mode_visit,
            "hospital" => self.mode_hospital,
            "online" => self.mode_online,
            "accompany" => self.mode_accompany,
            _ => "",
        }
    }

    pub fn referral_state(&self, state: &str) -> &'static str {
        match state {
            "referred" => self.ref_referred,
            "contacted" => self.ref_contacted,
            "started" => self.ref_started,
            "not_connected" => self.ref_not_connected,
            _ => "",
        }
    }

    pub fn problem(&self, p: nimo_core::contact::Problem) -> &'static str {
        use nimo_core::contact::Problem as P;
        match p {
            P::Required => self.p_required,
            P::TooLong(_) => self.p_too_long,
            P::BadDate => self.p_bad_date,
            P::BadTime => self.p_bad_time,
            P::FollowUpBeforeContact => self.p_follow_before,
            P::LooksLikeFullName => self.p_full_name,
            P::NotANumber => self.p_number,
            P::BadArea => self.p_area,
        }
    }

    /// (value, label) pairs for choice chips.
    pub fn modes(&self) -> Vec<(&'static str, &'static str)> {
        nimo_core::collection::CONTACT_MODES.iter().map(|m| (*m, self.mode_label(m))).collect()
    }

    pub fn callers(&self) -> Vec<(&'static str, &'static str)> {
        vec![("self", self.caller_self), ("family", self.caller_family), ("supporter", self.caller_supporter), ("other", self.caller_other)]
    }

    pub fn age_bands(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("under_20", self.age_under_20), ("20s", self.age_20s), ("30s", self.age_30s), ("40s", self.age_40s), ("50s", self.age_50s),
            ("60s", self.age_60s), ("70s", self.age_70s), ("80_plus", self.age_80_plus), ("unknown", self.age_unknown),
        ]
    }

    pub fn action_options(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("listening", self.action_listening), ("information", self.action_information), ("accompany", self.action_accompany),
            ("referral", self.action_referral), ("coordination", self.action_coordination), ("other", self.action_other),
        ]
    }

    pub fn referral_states(&self) -> Vec<(&'static str, &'static str)> {
        nimo_core::contact::REFERRAL_STATES.iter().map(|s| (*s, self.referral_state(s))).collect()
    }

    pub fn wish_methods(&self) -> Vec<(&'static str, &'static str)> {
        vec![("phone", self.wish_phone), ("letter", self.wish_letter), ("in_person", self.wish_in_person), ("via_staff", self.wish_via_staff), ("other", self.wish_other)]
    }

    pub fn worry_options(&self, which: &[nimo_core::taxonomy::Worry]) -> Vec<(&'static str, &'static str)> {
        which.iter().map(|w| (w.id(), self.worry(*w))).collect()
    }

    pub fn window_type(&self, t: nimo_core::taxonomy::WindowType) -> &'static str {
        if self.is_ja() { t.ja() } else { t.en() }
    }

    pub fn level(&self, l: nimo_core::taxonomy::Level) -> &'static str {
        if self.is_ja() { l.finder_heading_ja() } else { l.finder_heading_en() }
    }

    pub fn window_problem(&self, p: nimo_core::directory::WindowProblem) -> &'static str {
        use nimo_core::directory::WindowProblem as P;
        match p {
            P::Required => self.w_required,
            P::TooLong => self.w_too_long,
            P::BadPhone => self.w_bad_phone,
            P::BadEmail => self.w_bad_email,
            P::BadUrl => self.w_bad_url,
            P::BadTime => self.w_bad_time,
            P::BadDate => self.w_bad_date,
            P::NoDays => self.w_no_days,
            P::BadNumber => self.w_bad_number,
        }
    }

    pub fn channel_options(&self) -> Vec<(&'static str, &'static str)> {
        vec![("phone", self.ch_phone), ("visit_in", self.ch_visit_in), ("outreach", self.ch_outreach), ("email", self.ch_email), ("fax", self.ch_fax), ("sns", self.ch_sns)]
    }

    pub fn for_whom_options(&self) -> Vec<(&'static str, &'static str)> {
        vec![("self", self.for_self), ("family", self.for_family), ("supporter", self.for_supporter)]
    }

    pub fn day_options(&self) -> Vec<(&'static str, &'static str)> {
        let ja = self.is_ja();
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .zip(nimo_core::time::Weekday::ALL)
            .map(|(id, w)| (*id, if ja { w.ja() } else { w.en() }))
            .collect()
    }

    /// The open-now badge: (css class, text).
    pub fn open_now(&self, status: nimo_core::hours::OpenNow, now: nimo_core::time::JstDateTime) -> (&'static str, String) {
        use nimo_core::hours::{OpenNow, next_label_en, next_label_ja};
        match status {
            OpenNow::Open { soon: true, .. } => ("soon", self.closing_soon.to_owned()),
            OpenNow::Open { closes: Some(c), .. } => ("open", format!("{} ({} {})", self.open_now, c.time, self.until)),
            OpenNow::Open { .. } => ("open", self.open_now.to_owned()),
            OpenNow::Closed { next, today_done } => {
                let next = next.map(|n| if self.is_ja() { next_label_ja(now, n) } else { next_label_en(now, n) });
                let head = if today_done { self.closed_today } else { self.closed_now };
                ("closed", match next { Some(n) => format!("{head}・{n}"), None => head.to_owned() })
            }
            OpenNow::Unknown => ("unknown", self.hours_unknown.to_owned()),
        }
    }

    pub fn meeting_levels(&self) -> Vec<(&'static str, &'static str)> {
        vec![("municipal", self.level_municipal), ("area", self.level_area), ("prefecture", self.level_prefecture)]
    }

    pub fn meeting_level(&self, id: &str) -> &'static str {
        self.meeting_levels().into_iter().find(|(v, _)| *v == id).map_or("", |(_, l)| l)
    }

    pub fn axes(&self) -> Vec<(&'static str, &'static str)> {
        vec![("individual", self.axis_individual), ("system", self.axis_system), ("base", self.axis_base)]
    }

    pub fn meeting_statuses(&self) -> Vec<(&'static str, &'static str)> {
        vec![("planned", self.ms_planned), ("held", self.ms_held), ("cancelled", self.ms_cancelled)]
    }

    pub fn meeting_status(&self, id: &str) -> &'static str {
        self.meeting_statuses().into_iter().find(|(v, _)| *v == id).map_or("", |(_, l)| l)
    }

    pub fn capacities(&self) -> Vec<(&'static str, &'static str)> {
        vec![("peer", self.cap_peer), ("family", self.cap_family), ("self", self.cap_self)]
    }

    pub fn item_statuses(&self) -> Vec<(&'static str, &'static str)> {
        vec![("accepted", self.st_accepted), ("considering", self.st_considering), ("done", self.st_done), ("declined", self.st_declined), ("carried", self.st_carried)]
    }

    pub fn item_status(&self, id: &str) -> &'static str {
        self.item_statuses().into_iter().find(|(v, _)| *v == id).map_or("", |(_, l)| l)
    }

    pub fn shown_count(&self, c: nimo_core::evidence::ShownCount) -> String {
        match c {
            nimo_core::evidence::ShownCount::Exact(n) => self.count(n as usize),
            nimo_core::evidence::ShownCount::Suppressed(_) => if self.is_ja() { "3未満".into() } else { "under 3".into() },
        }
    }

    /// 「全部で 2,333件」
    pub fn records_total(&self, n: usize) -> String {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if self.is_ja() { format!("全部で {grouped}件") } else { format!("{grouped} in all") }
    }

    /// Why the server refused a change, for 「送信できなかった変更」.
    pub fn refused(&self, code: ErrorCode) -> &'static str {
        match code {
            ErrorCode::Deleted => self.refused_deleted,
            ErrorCode::Forbidden | ErrorCode::NotFound => self.refused_forbidden,
            ErrorCode::InvalidField => self.refused_invalid,
            ErrorCode::PayloadTooLarge => self.refused_too_large,
            _ => self.refused_other,
        }
    }

    pub fn revoked_reason(&self, reason: &str) -> &'static str {
        match reason {
            "revoked_by_user" => self.revoked_by_user,
            "removed_from_group" => self.revoked_removed,
            "passphrase_changed" => self.revoked_passphrase,
            _ => self.revoked_other,
        }
    }
}
