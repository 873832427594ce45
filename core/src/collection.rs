//! Collections of records, who may do what with them, and the shape of
//! their fields. The server checks every incoming field against
//! [`Collection::schema`]; the app's forms build values of the same shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{RecordId, UserId};
use crate::taxonomy::{WindowType, Worry};
use crate::time::{Date, JstDateTime, TimeOfDay};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    /// 相談・活動の記録: one conversation or visit.
    Contact,
    /// An entry of the group's directory of consultation windows.
    Window,
    /// 「情報が違う」: a member's correction to a directory entry.
    Correction,
    /// A 協議の場 meeting.
    Meeting,
    /// One member's participation in one meeting (id derived from both).
    Attendance,
    /// 提起事項: something a member raised.
    Item,
    /// A dated status update of an item; its history.
    ItemUpdate,
}

impl Collection {
    pub const ALL: [Collection; 7] =
        [Self::Contact, Self::Window, Self::Correction, Self::Meeting, Self::Attendance, Self::Item, Self::ItemUpdate];

    pub fn id(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Window => "window",
            Self::Correction => "correction",
            Self::Meeting => "meeting",
            Self::Attendance => "attendance",
            Self::Item => "item",
            Self::ItemUpdate => "item_update",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Whether records of this collection may be private to their owner.
    /// Only contacts: everything else exists to be shared with the group.
    pub fn allows_private(self) -> bool {
        self == Self::Contact
    }
}

/// Who can see a record besides its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// 自分だけ.
    Private,
    /// グループ.
    Group,
}

impl Visibility {
    pub fn id(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Group => "group",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "private" => Some(Self::Private),
            "group" => Some(Self::Group),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Invites and removes members, keeps the directory, writes reports.
    Coordinator,
    Member,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::Member => "member",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "coordinator" => Some(Self::Coordinator),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// The access rules, in one place; the server's storage layer and the app
/// both ask here.
pub mod access {
    use super::{Collection, Role, Visibility};

    /// May a member with `role` see a record?
    pub fn can_read(collection: Collection, role: Role, is_owner: bool, visibility: Visibility) -> bool {
        if is_owner {
            return true;
        }
        match collection {
            // Corrections go to whoever keeps the directory.
            Collection::Correction => role == Role::Coordinator && visibility == Visibility::Group,
            _ => visibility == Visibility::Group,
        }
    }

    /// May they create a record of this collection?
    pub fn can_create(collection: Collection, role: Role) -> bool {
        match collection {
            Collection::Window => role == Role::Coordinator,
            _ => true,
        }
    }

    /// May they change fields of an existing record (not delete it)?
    pub fn can_update(collection: Collection, role: Role, is_owner: bool, visibility: Visibility) -> bool {
        match collection {
            // A contact is its author's own account of a conversation.
            Collection::Contact => is_owner,
            Collection::Window => role == Role::Coordinator,
            Collection::Correction => is_owner || role == Role::Coordinator,
            Collection::Meeting | Collection::Attendance | Collection::Item | Collection::ItemUpdate => {
                is_owner || visibility == Visibility::Group
            }
        }
    }

    /// May they delete it?
    pub fn can_delete(collection: Collection, role: Role, is_owner: bool) -> bool {
        match collection {
            Collection::Contact => is_owner,
            Collection::Window => role == Role::Coordinator,
            _ => is_owner || role == Role::Coordinator,
        }
    }
}

/// The type of one field's value. `null` is always accepted: it clears the
/// field.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Free text; concurrent edits keep the losing text as a conflict.
    Note(usize),
    Date,
    Time,
    DateTime,
    Int(i64, i64),
    Bool,
    Choice(&'static [&'static str]),
    /// A set of choices (no duplicates).
    Choices(&'static [&'static str]),
    /// The id of another record.
    Ref,
    /// Ids of other records.
    Refs,
    User,
    /// A 全国地方公共団体コード (6 digits, check digit valid).
    AreaCode,
    /// A website: `https://` or `http://` only (see `window::check_web_url`).
    Url(usize),
    /// An email address.
    Email(usize),
    /// A structured value checked by the function.
    Json(fn(&Value) -> Result<(), String>),
}

impl Kind {
    pub fn is_note(self) -> bool {
        matches!(self, Kind::Note(_))
    }

    /// Checks a value; the message says what was expected, in English.
    pub fn check(self, value: &Value) -> Result<(), String> {
        if value.is_null() {
            return Ok(());
        }
        let text = || value.as_str().ok_or_else(|| "expected a string".to_owned());
        match self {
            Kind::Text(max) | Kind::Note(max) => {
                let s = text()?;
                let len = s.chars().count();
                if len > max {
                    return Err(format!("at most {max} characters (got {len})"));
                }
                if matches!(self, Kind::Text(_)) && s.contains(['\n', '\r']) {
                    return Err("one line only".into());
                }
                if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                    return Err("control characters are not allowed".into());
                }
                Ok(())
            }
            Kind::Date => Date::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::Time => TimeOfDay::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::DateTime => JstDateTime::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::Int(min, max) => match value.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                _ => Err(format!("expected a whole number from {min} to {max}")),
            },
            Kind::Bool => value.as_bool().map(drop).ok_or_else(|| "expected true or false".into()),
            Kind::Choice(options) => {
                let s = text()?;
                if options.contains(&s) { Ok(()) } else { Err(format!("expected one of {}", options.join(", "))) }
            }
            Kind::Choices(options) => {
                let items = value.as_array().ok_or("expected a list")?;
                let mut seen = Vec::new();
                for item in items {
                    let s = item.as_str().ok_or("expected a list of strings")?;
                    if !options.contains(&s) {
                        return Err(format!("{s:?} is not one of {}", options.join(", ")));
                    }
                    if seen.contains(&s) {
                        return Err(format!("{s:?} appears twice"));
                    }
                    seen.push(s);
                }
                Ok(())
            }
            Kind::Ref => RecordId::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::Refs => {
                let items = value.as_array().ok_or("expected a list of record ids")?;
                if items.len() > 200 {
                    return Err("at most 200 ids".into());
                }
                for item in items {
                    RecordId::parse(item.as_str().ok_or("expected a list of record ids")?).map_err(|e| e.to_string())?;
                }
                Ok(())
            }
            Kind::User => UserId::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::AreaCode => crate::area::AreaCode::parse(text()?).map(drop).map_err(|e| e.to_string()),
            Kind::Url(max) | Kind::Email(max) => {
                let s = text()?;
                if s.chars().count() > max {
                    return Err(format!("at most {max} characters"));
                }
                if matches!(self, Kind::Url(_)) { crate::window::check_web_url(s) } else { crate::window::check_email(s) }
            }
            Kind::Json(check) => check(value),
        }
    }
}

pub struct Schema {
    pub fields: &'static [(&'static str, Kind)],
    /// Fields a new record must have (non-null) when it is created.
    pub required: &'static [&'static str],
}

impl Schema {
    pub fn kind(&self, field: &str) -> Option<Kind> {
        self.fields.iter().find(|(name, _)| *name == field).map(|(_, kind)| *kind)
    }
}

const WORRIES: &[&str] = Worry::IDS;
const WINDOW_TYPES: &[&str] = WindowType::IDS;

pub const CONTACT_MODES: &[&str] = &["in_person", "phone", "visit", "hospital", "online", "accompany"];
pub const CALLERS: &[&str] = &["self", "family", "supporter", "other"];
pub const AGE_BANDS: &[&str] = &["under_20", "20s", "30s", "40s", "50s", "60s", "70s", "80_plus", "unknown"];
pub const ACTIONS: &[&str] = &["listening", "information", "accompany", "referral", "coordination", "other"];
pub const CONTACT_STATUS: &[&str] = &["open", "closed"];
pub const WISH_METHODS: &[&str] = &["phone", "letter", "in_person", "via_staff", "other"];
pub const CHANNELS: &[&str] = &["phone", "visit_in", "outreach", "email", "fax", "sns"];
pub const FOR_WHOM: &[&str] = &["self", "family", "supporter"];
pub const MEETING_LEVELS: &[&str] = &["municipal", "area", "prefecture"];
pub const MEETING_AXES: &[&str] = &["individual", "system", "base"];
pub const MEETING_STATUS: &[&str] = &["planned", "held", "cancelled"];
pub const CAPACITIES: &[&str] = &["peer", "family", "self"];
pub const ITEM_STATUS: &[&str] = &["accepted", "considering", "done", "declined", "carried"];
pub const CORRECTION_STATUS: &[&str] = &["open", "applied", "dismissed"];

impl Collection {
    pub fn schema(self) -> &'static Schema {
        match self {
            Self::Contact => &CONTACT,
            Self::Window => &WINDOW,
            Self::Correction => &CORRECTION,
            Self::Meeting => &MEETING,
            Self::Attendance => &ATTENDANCE,
            Self::Item => &ITEM,
            Self::ItemUpdate => &ITEM_UPDATE,
        }
    }
}

static CONTACT: Schema = Schema {
    fields: &[
        ("at", Kind::DateTime),
        ("duration_min", Kind::Int(0, 24 * 60)),
        ("mode", Kind::Choice(CONTACT_MODES)),
        // A nickname or initials; there is deliberately no name field.
        ("person", Kind::Text(20)),
        ("caller", Kind::Choice(CALLERS)),
        ("relation", Kind::Text(30)),
        ("age_band", Kind::Choice(AGE_BANDS)),
        ("area", Kind::AreaCode),
        ("worries", Kind::Choices(WORRIES)),
        ("unmet_worries", Kind::Choices(WORRIES)),
        ("actions", Kind::Choices(ACTIONS)),
        ("note", Kind::Note(4000)),
        ("referrals", Kind::Json(crate::contact::check_referrals)),
        ("follow_up", Kind::Date),
        ("risk", Kind::Bool),
        ("status", Kind::Choice(CONTACT_STATUS)),
        ("partner", Kind::Text(20)),
        ("hospital", Kind::Text(60)),
        ("wish_method", Kind::Choice(WISH_METHODS)),
        ("wish_date", Kind::Date),
    ],
    required: &["at", "mode"],
};

static WINDOW: Schema = Schema {
    fields: &[
        ("name", Kind::Text(100)),
        ("kana", Kind::Text(100)),
        ("type", Kind::Choice(WINDOW_TYPES)),
        ("areas", Kind::Json(crate::window::check_areas)),
        ("address", Kind::Text(200)),
        ("phones", Kind::Json(crate::window::check_phones)),
        ("fax", Kind::Text(30)),
        ("email", Kind::Email(120)),
        ("url", Kind::Url(300)),
        ("channels", Kind::Choices(CHANNELS)),
        ("hours", Kind::Json(crate::window::check_hours)),
        ("closed_holidays", Kind::Bool),
        ("closed_new_year", Kind::Bool),
        ("closures", Kind::Json(crate::window::check_closures)),
        ("reservation", Kind::Bool),
        ("anonymous_ok", Kind::Bool),
        ("for_whom", Kind::Choices(FOR_WHOM)),
        ("note", Kind::Note(2000)),
        ("verified_on", Kind::Date),
        ("source", Kind::Text(300)),
        ("retired", Kind::Bool),
        ("lat", Kind::Json(crate::window::check_latitude)),
        ("lng", Kind::Json(crate::window::check_longitude)),
    ],
    required: &["name", "type"],
};

static CORRECTION: Schema = Schema {
    fields: &[
        ("window", Kind::Ref),
        ("window_name", Kind::Text(100)),
        ("note", Kind::Note(2000)),
        ("status", Kind::Choice(CORRECTION_STATUS)),
        ("review_note", Kind::Note(2000)),
    ],
    required: &["window", "note"],
};

static MEETING: Schema = Schema {
    fields: &[
        ("body", Kind::Text(100)),
        ("level", Kind::Choice(MEETING_LEVELS)),
        ("date", Kind::Date),
        ("start", Kind::Time),
        ("end", Kind::Time),
        ("place", Kind::Text(120)),
        ("online", Kind::Bool),
        ("area", Kind::AreaCode),
        ("agenda", Kind::Note(4000)),
        ("axes", Kind::Choices(MEETING_AXES)),
        ("status", Kind::Choice(MEETING_STATUS)),
        ("minutes", Kind::Note(8000)),
    ],
    required: &["body", "level", "date"],
};

static ATTENDANCE: Schema = Schema {
    fields: &[
        ("meeting", Kind::Ref),
        ("member", Kind::User),
        ("member_name", Kind::Text(40)),
        ("capacity", Kind::Choice(CAPACITIES)),
        ("planned", Kind::Bool),
        ("attended", Kind::Bool),
        ("prep", Kind::Note(4000)),
    ],
    required: &["meeting", "member"],
};

static ITEM: Schema = Schema {
    fields: &[
        ("body", Kind::Text(100)),
        ("meetings", Kind::Refs),
        ("title", Kind::Text(120)),
        ("detail", Kind::Note(4000)),
        ("worries", Kind::Choices(WORRIES)),
        ("raised_by", Kind::User),
        ("raised_by_name", Kind::Text(40)),
        ("taken_by", Kind::Text(100)),
        ("evidence", Kind::Json(crate::evidence::check_snapshot)),
    ],
    required: &["body", "title"],
};

static ITEM_UPDATE: Schema = Schema {
    fields: &[
        ("item", Kind::Ref),
        ("meeting", Kind::Ref),
        ("date", Kind::Date),
        ("status", Kind::Choice(ITEM_STATUS)),
        ("note", Kind::Note(2000)),
    ],
    required: &["item", "date", "status"],
};
