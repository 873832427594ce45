//! Every UI string, in Japanese (the default) and English.
//!
//! A hand-written table rather than an i18n crate: a few hundred strings,
//! checked at compile time (a string missing in one language does not
//! build), no runtime parsing and no ICU data in the bundle. Strings with
//! numbers in them are methods on [`Texts`].

use crate::handler;
use crate::platform::prefs;
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
        let saved = prefs::get(STORAGE_KEY);
        let lang = saved.as_deref().and_then(Lang::from_code).unwrap_or(Lang::Ja);
        let this = Self { lang: RwSignal::new(lang) };
        handler::effect(move |_| {
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
        prefs::set(STORAGE_KEY, lang.code());
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
    remove_member_confirm: "このメンバーをグループから外しますか？\n・その人の端末はすべて利用停止になります。\n・グループの鍵を新しくします。これから書く記録は、その人には読めません。\n・その人の端末にすでに入っている記録は消せません（消えません）。\n・まだ使われていない招待はすべて取り消されます。必要なら作り直してください。", "Remove this member?\n- All their devices are signed out.\n- The group gets a new key: what is written from now on cannot be read by them.\n- Records already on their phones cannot be erased from there.\n- Unused invites are all cancelled; make new ones if needed.";
    member_removed: "メンバーを外し、グループの鍵を新しくしました。外した人の端末に残った記録は消えません。まだ使われていなかった招待は取り消しました。", "The member was removed and the group has a new key. Records already on their phones stay there. Unused invites were cancelled.";
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
    mine_only: "自分の記録だけを書き出します。", "Only your own records are exported.";

    // Contacts: form
    contact_new_title: "記録する", "New record";
    contact_edit_title: "記録を直す", "Edit record";
    date: "日付", "Date";
    time: "時刻", "Time";
    referral_add: "紹介先を追加", "Add a referral";
    referral_name: "窓口の名前", "Window's name";
    remove: "はずす", "Remove";
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
    visit_report: "実施報告", "Visit report";
    visit_report_copy: "報告文をコピー", "Copy the report";
    visit_report_export: "報告をテキストで書き出す", "Export the report as text";

    // Problems
    p_required: "入力してください", "Required";
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
    add_area: "この地域を追加", "Add this area";
    whole_prefecture: "都道府県全体", "Whole prefecture";
    nationwide: "全国", "Nationwide";
    phone_note: "電話のメモ（例：夜間）", "Note (e.g. nights)";
    add_phone: "電話番号を追加", "Add a number";
    add_session: "時間帯を追加", "Add hours";
    opens: "開始", "Opens";
    closes: "終了", "Closes";
    import_title: "窓口リストの読み込み", "Import windows";
    import_lead: "自治体のオープンデータ（施設一覧のCSV。UTF-8でもShift_JISでも）か、nimoで書き出したJSONを読み込めます。読み込む前に中身を確認できます。", "Read a municipal open-data facility list (CSV, UTF-8 or Shift_JIS) or a JSON exported by nimo. You see a preview first.";
    import_file: "ファイルを選ぶ", "Choose a file";
    import_type: "読み込む窓口の種類（CSVのとき）", "Kind of window (for CSV)";
    import_preview: "読み込む内容", "What will be added";
    import_ok_rows: "追加できる窓口", "Windows to add";
    import_bad_rows: "問題のある行", "Rows with problems";
    import_blocked: "問題のある行があるので、このファイルは読み込みません。元のファイルを直してから、もう一度選んでください。", "This file has problems, so nothing is imported. Fix the file and choose it again.";
    import_run: "読み込む", "Import";
    export_hsds: "窓口リストをJSONで書き出す（HSDS形式）", "Export the directory as JSON (HSDS)";

    // Meetings
    new_meeting: "＋ 会議を追加", "+ Add a meeting";
    upcoming: "これからの会議", "Upcoming";
    past: "これまでの会議", "Past";
    no_meetings: "まだ会議がありません。", "No meetings yet.";
    ics_download: "予定をカレンダーに入れる（.ics）", "Add to calendar (.ics)";
    report_link: "年度の報告", "Year report";
    meeting_new_title: "会議を追加", "Add a meeting";
    attendance_title: "だれが出るか", "Who attends";
    members_offline: "メンバーの一覧はオンラインのときに読み込みます。", "The member list loads when online.";
    capacity: "立場", "As";
    will_attend: "参加予定", "Will attend";
    attended: "出席した", "Attended";
    prep: "準備メモ", "Preparation notes";
    items_title: "提起事項", "Items raised";
    new_item: "＋ 提起事項を追加", "+ Raise an item";
    taken_by: "会議で受けた人・部署", "Taken by (in the meeting)";
    homework_title: "前回からの宿題", "Homework from last time";
    homework_none: "前回からの宿題はありません。", "No open items from earlier meetings.";
    carry_here: "この会議に持ち越す", "Carry to this meeting";
    carried_note: "前回から持ち越し", "Carried over from last time";
    history_title: "経過", "History";
    add_update: "経過を記録", "Record progress";
    raised_by: "提起した人", "Raised by";
    raised_at: "取り上げた会議", "Raised at";
    evidence_title: "記録からの根拠", "Evidence from records";
    evidence_lead: "グループで共有した記録から、終わった月ごとに数えます。だれか分からないように、少ない数はまとめて示します。", "Counts from the group's shared records, by finished months; small numbers are shown so that nobody can be recognised.";
    evidence_from: "はじめの月", "From (month)";
    evidence_to: "おわりの月", "To (month)";
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

    // Forms from the schema
    required_mark: "（必須）", "(required)";
    more_options: "ほかに", "More";
    save_anyway: "このまま保存する", "Save anyway";
    use_now: "今の日時にする", "Use the time now";
    keep_time: "このままにする", "Keep it";
    err_server_full: "サーバーの保存容量がいっぱいです。送れなかった変更はこの端末に残っていて、あとで自動で送ります。グループのコーディネーターに知らせてください。", "The server's storage is full. What could not be sent stays on this phone and is sent later by itself. Please tell your group's coordinator.";
    not_yours: "この記録は書いた人だけが直せます。", "Only the person who wrote this record can change it.";
    read_only_profile: "プロフィールは本人だけが直せます。", "Only the member can change their own profile.";
    read_only_coordinators: "コーディネーターだけが直せます。", "Only coordinators can change this.";
    contact_view_title: "記録を見る", "Record";
    written_by: "書いた人", "Written by";
    last_changed: "最後の変更", "Last changed";
    author_you: "あなた", "You";
    author_member: "グループのメンバー", "A member of the group";
    record_deleted: "この記録はもう見られません（削除されたか、共有が取り消されました）。", "This record can no longer be seen (it was deleted or is no longer shared).";
    yes: "はい", "Yes";
    call: "電話する", "Call";
    profile_view: "プロフィールを見る", "View profile";
    no_person: "（相手の記入なし）", "(no name given)";
    err_save_failed: "保存できませんでした。もう一度お試しください。入力した内容は消えていません。", "Could not save. Please try again; nothing you typed is lost.";
    err_deleted_meanwhile: "この記録は別の端末で削除されたため、保存できませんでした。", "This record was deleted on another device, so it could not be saved.";
    visitor_profile_first: "病院訪問を記録する前に、入院者訪問支援員の研修修了・選任を「設定」のプロフィールに記録してください。", "Before logging a hospital visit, record your hospital visitor training and appointment in your profile (Settings).";
    visitor_profile_link: "プロフィールを開く", "Open your profile";
    visit_report_only: "実施報告は病院訪問の記録にだけあります。", "A visit report exists only for hospital visits.";
    profile_title: "プロフィール（入院者訪問支援）", "Profile (hospital visitor)";
    profile_lead: "入院者訪問支援員の研修を修了し、都道府県に選任された人は、ここに一度記録します。病院訪問の記録に必要です。", "If you completed the hospital visitor training and were appointed by a prefecture, record it here once. Hospital visits need it.";
    p_one_line: "1行で書いてください", "One line, please";
    p_out_of_range: "範囲外の数です", "Out of range";
    p_bad_phone: "電話番号として読めません（数字とハイフン）", "Not a phone number (digits and hyphens)";
    p_bad_email: "メールアドレスとして読めません", "Not an email address";
    p_bad_url: "https:// で始まるホームページのアドレスにしてください", "A website address starting with https://";
    p_no_days: "曜日を選んでください", "Choose the days";
    p_invalid: "正しくない内容があります", "Something here is not valid";
    p_wish_after_visit: "希望を確認した日は、訪問の日より前（か同じ日）にしてください", "The wish must be confirmed on or before the visit";
    p_far_future: "日付がずっと先です。まちがいがなければ、もう一度「このまま保存する」を押してください", "This date is far ahead. If it is right, tap “Save anyway”.";
    p_empty: "悩み・メモ・紹介先のどれかを入れてください", "Add a worry, a note or a referral";
    p_not_visitor_role: "訪問支援員の役割は、傾聴・生活相談・情報提供です。ほかのことをしたときは、まちがいがないか確かめてください", "A visitor listens, talks about daily life and gives information; check this before saving";
    referral_state: "紹介の状態", "Referral status";
    phone_number: "電話番号", "Phone number";
    days: "曜日", "Days";
    hours_hint: "終わりが始まりより前なら、夜をこえて翌日までの受付です（例 17:00〜9:00）。「祝日」を選ぶと祝日だけの時間帯になります。", "An end before the start runs past midnight (e.g. 17:00–9:00). “Holidays” makes hours for national holidays only.";
    area_to_add: "加える地域", "Area to add";
    closed_day: "休み", "Closed";
    add_exception: "特別な日程を加える", "Add special dates";
    exception_from: "はじまりの日", "From";
    exception_to: "おわりの日", "To";
    exception_note: "理由（例：年末年始、移転）", "Why (e.g. New Year, moving)";
    exception_hint: "時間を入れなければ「休み」、入れればその時間だけ受付です。", "No hours means closed; with hours, open only then.";
    cancel: "止める", "Stop";
    none: "なし", "None";
    // The finder
    without_voice: "電話以外で相談できる窓口だけ（FAX・メール・SNS）", "Only windows reachable without a voice call (fax, email, SNS)";
    no_voice_tag: "電話以外も可", "Not only by phone";
    reach_now: "いまつながるところから", "What you can reach now, first";
    crisis_order: "危機のときは、いまつながる窓口から順に並べています（119・精神科救急が先頭）。", "In a crisis, windows you can reach now come first (119 and psychiatric emergency at the top).";
    missing_title: "この地域にあるはずの窓口", "Windows this area should have";
    missing_lead: "グループの窓口リストに、まだ登録されていない種類の窓口です。調べて登録すると、次から表示されます。", "Kinds of window your group's directory does not have yet. Look them up and add them.";
    search_for: "さがし方：", "Search for:";
    import_open_data: "オープンデータを読み込む", "Import open data";
    missing_add: "追加する", "Add";
    source_label: "出典", "Source";
    source_date: "出典の日付", "Source date";
    date_unknown: "日付不明", "Date unknown";
    // National lines in the directory
    national_lines: "全国の相談電話（組み込み）", "National lines (built in)";
    national_lines_lead: "公開されている情報から組み込んだ電話です。まちがいを見つけたら、コーディネーターはこのグループ用に直したり、表示しないようにしたりできます。", "Built in from public sources. A coordinator can correct a line for this group or hide it.";
    line_correct: "このグループ用に直す", "Correct for this group";
    line_hide: "このグループでは表示しない", "Hide for this group";
    line_restore: "元に戻す", "Restore";
    line_corrected: "このグループ用に直しました", "Corrected for this group";
    line_hidden: "このグループでは表示していません", "Hidden for this group";
    coordinators_only: "窓口リストを直せるのはコーディネーターです。", "Only coordinators edit the directory.";
    // Import
    import_limits: "読み込めるのは 5 MB・5,000 行までのファイルです。", "Files up to 5 MB and 5,000 rows can be imported.";
    import_kind_hint: "ファイルに窓口の種類がない行は、ここで選んだ種類になります。行ごとにも選べます。", "Rows without a kind in the file take this kind; each row can have its own.";
    import_kind_all: "（上で選んだ種類）", "(the kind chosen above)";
    import_row_kind: "この行の窓口の種類", "Kind of window for this row";
    import_updates: "更新", "Update";
    // Evidence and the year report
    evidence_area: "地域（市町村か都道府県）", "Area (municipality or prefecture)";
    evidence_finished_months: "期間は、終わった月の中から選んでください（今月はまだ数えません）。", "Choose months that are over (this month is not counted yet).";
    evidence_rules: "人が特定されないよう、3件未満の項目はほかの少ない項目と「その他」にまとめて件数を出さず、ほかの件数は5件単位の「約」で示します。", "So that nobody can be identified: rows under 3 are folded with other small rows into “Other”, whose count is not shown, and other counts are rounded to about the nearest 5.";
    meetings_by_axis: "取り組んだこと（回数）", "What the meetings worked on";
    // First run
    setup_title: "最初のグループを作る", "Create the first group";
    setup_lead: "このサーバーにはまだグループがありません。グループの名前と、最初のコーディネーター（あなた）のアカウントを作ります。このリンクは一度しか使えません。", "This server has no group yet. Create the group and the first coordinator's account (yours). This link works once.";
    setup_button: "グループを作って始める", "Create the group and start";
    setup_used: "このリンクはもう使えません（グループが作られています）。招待コードで参加してください。", "This link no longer works (a group exists). Join with an invite code.";
    group_name: "グループの名前（例：○○市 ピアサポートの会）", "Group name";
    persisted_unknown: "このブラウザは、保存を続けるかどうかを答えません。", "This browser does not say whether it keeps the data.";
    // End-to-end encryption: keys, recovery, fingerprints
    keys_made_here: "記録を読むための鍵は、この端末の中で作ります。パスフレーズはサーバーに送られません。", "The keys that open your records are made on this phone. Your passphrase is never sent to the server.";
    making_keys: "鍵を作っています…（数秒かかります）", "Making keys… (a few seconds)";
    opening_keys: "鍵を開いています…", "Opening your keys…";
    forgot_passphrase: "パスフレーズを忘れたとき", "Forgot your passphrase?";
    recover_title: "復旧キーでパスフレーズを決めなおす", "Set a new passphrase with your recovery key";
    recover_lead: "参加したときに書き留めた「復旧キー」を入れてください。自分だけの記録も、そのまま読めます。", "Enter the recovery key you wrote down when you joined. Your private records stay readable.";
    recovery_key: "復旧キー", "Recovery key";
    recovery_key_hint: "英数字56文字（4文字ずつ区切り）。小文字やスペースでも大丈夫です。", "56 letters and digits in groups of four; lower case and spaces are fine.";
    recover_button: "新しいパスフレーズにする", "Set the new passphrase";
    recover_without_key: "復旧キーもないときは、コーディネーターに「再登録の招待」を作ってもらってください。グループで共有した記録は読めるようになりますが、自分だけの記録は読めなくなります。", "Without the recovery key, ask a coordinator for a re-admission invite: the group's shared records become readable again, but your private records cannot be recovered.";
    recovered: "新しいパスフレーズにしました。ほかの端末はログアウトしました。", "Your new passphrase is set; your other devices were signed out.";
    err_recovery_key: "復旧キーが違うか、打ち間違いがあります。もう一度確かめてください。", "That recovery key is wrong or has a typing mistake. Please check it.";
    err_keys_module: "鍵の処理を読み込めませんでした。電波のある場所でもう一度お試しください（アプリの更新が必要なこともあります）。", "The key functions could not be loaded. Try again with a signal (the app may need updating).";
    err_keys_failed: "鍵を開けませんでした。パスフレーズをもう一度確かめてください。", "Your keys did not open. Please check your passphrase.";
    err_no_group_key: "この端末にはグループの鍵がありません。設定の「グループの鍵がありません」から復旧するか、同期してからもう一度お試しください。", "This phone does not have the group's key. Recover it in Settings, or sync and try again.";
    err_keys_behind: "グループの鍵が新しくなりましたが、この端末はまだ受け取れていません。電波のある場所で同期してください。送れなかった変更は残っています。", "The group's key changed and this phone has not received it yet. Sync where you have a signal; nothing unsent is lost.";
    keep_title: "いま、書き留めてください", "Write these down now";
    keep_lead: "次のキーは、この画面でしか表示しません。紙に書くか印刷して、端末とは別の、人に見られない場所にしまってください。写真に撮ってスマートフォンに入れるのはやめましょう。", "These keys are shown on this screen only. Write them on paper or print them, and keep them away from your phone where nobody sees them. Do not keep a photo of them on your phone.";
    keep_personal: "あなたの復旧キー", "Your recovery key";
    keep_personal_why: "パスフレーズを忘れたとき、このキーで新しいパスフレーズを決められます。このキーもなくすと、自分だけの記録は二度と読めません（グループで共有した記録は、コーディネーターに再登録してもらえば読めます）。", "If you forget your passphrase, this key sets a new one. If you lose this key too, your private records can never be read again (the group's shared records can, after a coordinator re-admits you).";
    keep_group: "グループの復旧キー", "The group's recovery key";
    keep_group_why: "コーディネーターが全員パスフレーズも復旧キーもなくしたとき、サーバーの管理者の再登録と合わせて、グループの記録を読めるようにするためのキーです。グループのコーディネーターが保管してください。", "If every coordinator loses both passphrase and recovery key, this key — with a re-admission by the server's operator — makes the group's records readable again. The group's coordinators keep it.";
    keep_print: "印刷する", "Print";
    keep_confirm_label: "書き留めた復旧キーの、最後の4文字を入れてください", "Type the last four characters of the recovery key you wrote down";
    keep_confirm_wrong: "最後の4文字が違います。書き留めたものを見なおしてください。", "The last four characters differ; please check what you wrote.";
    keep_done: "書き留めました", "I have written them down";
    fingerprint: "安全番号", "Safety number";
    fingerprint_lead: "安全番号は、その人の鍵から作った番号です。会ったときに、お互いのスマートフォンで同じ番号が出ているか見くらべると、サーバーがすり替えていないことを確かめられます。", "A safety number comes from each member's key. When you meet, compare them on each other's phones: the same digits mean the server has not swapped a key.";
    unreadable_title: "読めない記録", "Records that could not be read";
    unreadable_lead: "サーバーから届いたものの、この端末の鍵で開けなかったり、形が正しくなかったりした項目です。端末の記録は書きかえていません。鍵が届けば、次の同期で読めるようになります。続くときはコーディネーターに知らせてください。", "Items received from the server that this phone's keys could not open, or that were not in a valid form. Nothing on this phone was overwritten. Once the keys arrive they are read at the next sync; if this goes on, tell your coordinator.";
    group_key_missing_title: "グループの鍵がありません", "The group's key is missing";
    group_key_missing_lead: "この端末には、このグループの記録を開く鍵がまだありません。グループの復旧キーを入れると、記録を読み書きできるようになります。", "This phone has no key for this group's records yet. Enter the group's recovery key to read and write them.";
    group_recovery_key: "グループの復旧キー", "The group's recovery key";
    group_recovery_button: "鍵を受け取る", "Get the key";
    readmit_title: "パスフレーズと復旧キーをなくしたメンバーの再登録", "Re-admit a member who lost their passphrase and recovery key";
    readmit_lead: "その人に新しい鍵を作ってもらう招待です。グループで共有した記録は読めるようになりますが、その人だけの記録は読めなくなります。", "An invite that gives them new keys: the group's shared records become readable again; their private records cannot be.";
    readmit_who: "再登録する人", "Who to re-admit";
    readmit_nobody: "（新しい人を招待する）", "(invite someone new)";
}

use nimo_core::api::ErrorCode;
use nimo_core::sync::client::TransportError;
use nimo_core::sync::collection::Role;
use nimo_core::base::time::JstDateTime;

use crate::state::SaveFailure;

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

    pub fn date(&self, d: nimo_core::base::time::Date) -> String {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        if self.is_ja() {
            format!("{}年{}月{}日({})", d.year(), d.month(), d.day(), d.weekday().ja())
        } else {
            format!("{} {} {} {}", d.weekday().en(), d.day(), MONTHS[usize::from(d.month() - 1)], d.year())
        }
    }

    /// A collection's name, as a title.
    pub fn collection_name(&self, c: nimo_core::sync::collection::Collection) -> &'static str {
        use nimo_core::sync::collection::Collection as C;
        let (ja, en) = match c {
            C::Contact => ("相談の記録", "Record"),
            C::Window => ("相談窓口", "Consultation window"),
            C::Correction => ("「情報が違う」の知らせ", "Correction"),
            C::Meeting => ("協議の場", "Meeting"),
            C::Attendance => ("出欠", "Attendance"),
            C::Item => ("提起したこと", "Raised item"),
            C::ItemUpdate => ("その後の経過", "Item update"),
            C::Profile => ("プロフィール", "Profile"),
        };
        if self.is_ja() { ja } else { en }
    }

    /// Why a change was not saved, in plain words.
    pub fn save_failure(&self, f: SaveFailure) -> &'static str {
        match f {
            SaveFailure::StorageFull => self.err_storage_full,
            SaveFailure::Deleted => self.err_deleted_meanwhile,
            SaveFailure::Invalid => self.form_has_problems,
            SaveFailure::Other => self.err_save_failed,
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
                ErrorCode::KeysChanged => self.err_keys_behind.into(),
                ErrorCode::InvalidField => match body.field.as_deref() {
                    Some("passphrase") => body
                        .detail
                        .as_deref()
                        .and_then(nimo_core::base::passphrase::Problem::from_code)
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
    pub fn passphrase_problem(&self, p: nimo_core::base::passphrase::Problem) -> &'static str {
        use nimo_core::base::passphrase::Problem as P;
        match p {
            P::TooShort => self.err_passphrase_short,
            P::TooLong => self.err_passphrase_long,
            P::SameAsLogin => self.err_passphrase_login,
            P::Common => self.err_passphrase_common,
            P::Repetitive => self.err_passphrase_repetitive,
            P::Weak => self.err_passphrase_weak,
        }
    }

    /// What a form problem says, at its field.
    pub fn problem(&self, p: nimo_core::schema::Problem) -> String {
        use nimo_core::schema::Problem as P;
        match p {
            P::Required => self.p_required.into(),
            P::TooLong(max) => if self.is_ja() { format!("{max}文字までにしてください") } else { format!("At most {max} characters") },
            P::OneLine => self.p_one_line.into(),
            P::BadDate => self.p_bad_date.into(),
            P::BadTime => self.p_bad_time.into(),
            P::NotANumber => self.p_number.into(),
            P::OutOfRange => self.p_out_of_range.into(),
            P::BadArea => self.p_area.into(),
            P::BadPhone => self.p_bad_phone.into(),
            P::BadEmail => self.p_bad_email.into(),
            P::BadUrl => self.p_bad_url.into(),
            P::NoDays => self.p_no_days.into(),
            P::Invalid => self.p_invalid.into(),
            P::FollowUpBeforeContact => self.p_follow_before.into(),
            P::LooksLikeFullName => self.p_full_name.into(),
            P::WishAfterVisit => self.p_wish_after_visit.into(),
            P::FarFuture => self.p_far_future.into(),
            P::Empty => self.p_empty.into(),
            P::NotAVisitorsRole => self.p_not_visitor_role.into(),
        }
    }

    /// 「あと 120 文字」 near a note's limit, 「200 文字多すぎます」 beyond it.
    pub fn chars_left(&self, count: usize, max: usize) -> String {
        match (self.is_ja(), count <= max) {
            (true, true) => format!("あと {} 文字（{count} / {max}）", max - count),
            (true, false) => format!("{} 文字多すぎます（{count} / {max}）", count - max),
            (false, true) => format!("{} characters left ({count} / {max})", max - count),
            (false, false) => format!("{} characters too many ({count} / {max})", count - max),
        }
    }

    /// 「このまま保存する」 after a draft older than an hour was restored.
    pub fn stale_draft(&self, saved_ms: u64) -> String {
        let when = self.moment(saved_ms);
        if self.is_ja() { format!("この下書きは {when} に書いたものです。日時を今にしますか？") } else { format!("This draft was written on {when}. Use the time now?") }
    }

    /// 「札幌市の 基幹相談支援センター — まだ登録されていません」
    pub fn not_registered(&self, place: &str, kind: &str) -> String {
        if self.is_ja() { format!("{place}の {kind} — まだ登録されていません") } else { format!("{kind} in {place} — not in the directory yet") }
    }

    pub fn importing(&self, done: usize, total: usize) -> String {
        if self.is_ja() { format!("読み込み中… {done} / {total}") } else { format!("Importing… {done} / {total}") }
    }

    pub fn import_result(&self, added: usize, updated: usize) -> String {
        if self.is_ja() { format!("読み込みました：追加 {added}件、更新 {updated}件") } else { format!("Imported: {added} added, {updated} updated") }
    }

    pub fn import_stopped(&self, done: usize) -> String {
        if self.is_ja() { format!("途中で止めました（{done}件まで読み込み済み）。もう一度読み込むと、続きが追加され、読み込み済みのものは更新されます。") } else { format!("Stopped after {done}. Importing again adds the rest and updates those already in.") }
    }

    pub fn line_n(&self, n: usize) -> String {
        if self.is_ja() { format!("{n}行目") } else { format!("Line {n}") }
    }

    /// 「2026年11月」
    pub fn month_label(&self, key: &str) -> String {
        match (self.is_ja(), key.split_once('-')) {
            (true, Some((y, m))) => format!("{y}年{}月", m.trim_start_matches('0')),
            _ => key.to_owned(),
        }
    }

    /// 「3回」
    pub fn times(&self, n: u32) -> String {
        if self.is_ja() { format!("{n}回") } else { format!("{n}×") }
    }

    /// Why the first run could not make the group.
    /// What an account step's failure says.
    pub fn account_error(&self, e: &crate::state::account::AccountError) -> String {
        use crate::state::account::AccountError as A;
        match e {
            A::Api(e) => self.api_error(e),
            A::Weak(p) => self.passphrase_problem(*p).into(),
            A::Unavailable => self.err_keys_module.into(),
            A::Failed => self.err_keys_failed.into(),
            A::RecoveryKey => self.err_recovery_key.into(),
            A::NoGroupKey => self.err_no_group_key.into(),
            A::Store(_) => self.err_storage_full.into(),
        }
    }

    /// The label of a record's field as its form shows it (a conflict or a
    /// record key named as such).
    pub fn field_label(&self, c: nimo_core::sync::collection::Collection, field: &str) -> String {
        let name = field.strip_prefix("conflict:").unwrap_or(field);
        match nimo_core::collections::schema(c).field(name) {
            Some(f) => f.label.get(self.is_ja()).to_owned(),
            None => name.to_owned(),
        }
    }

    /// Why a value did not open, in plain words.
    pub fn unreadable_why(&self, why: &str) -> &'static str {
        match (why.contains("not on this device"), self.is_ja()) {
            (true, true) => "この端末にまだ鍵がありません",
            (true, false) => "This phone does not have its key yet",
            (false, true) => "開けないか、途中で書きかえられています",
            (false, false) => "It does not open, or was altered on the way",
        }
    }

    pub fn setup_error(&self, e: &TransportError) -> String {
        match e {
            TransportError::Api { body, .. } if body.error == ErrorCode::Forbidden || body.error == ErrorCode::NotFound => self.setup_used.into(),
            other => self.api_error(other),
        }
    }

    /// 「全部で 2,333件」
    pub fn records_total(&self, n: usize) -> String {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
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
