//! The collections records belong to, who can see a record, roles, and
//! the access rules. Each collection's fields are declared with its type
//! (`crate::collections` maps a collection to its schema).

use serde::{Deserialize, Serialize};

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
    /// A member's own profile in the group (hospital-visitor training).
    Profile,
}

impl Collection {
    pub const ALL: [Collection; 8] =
        [Self::Contact, Self::Window, Self::Correction, Self::Meeting, Self::Attendance, Self::Item, Self::ItemUpdate, Self::Profile];

    /// The position in [`Self::ALL`], for tables indexed by collection.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Window => "window",
            Self::Correction => "correction",
            Self::Meeting => "meeting",
            Self::Attendance => "attendance",
            Self::Item => "item",
            Self::ItemUpdate => "item_update",
            Self::Profile => "profile",
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
            // A contact is its author's own account of a conversation; a
            // profile is its member's own.
            Collection::Contact | Collection::Profile => is_owner,
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
            Collection::Contact | Collection::Profile => is_owner,
            Collection::Window => role == Role::Coordinator,
            _ => is_owner || role == Role::Coordinator,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Collection;

    #[test]
    fn index_is_the_position_in_all() {
        for (i, c) in Collection::ALL.iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
        }
    }
}
