//! Who is making a request: the signed-in user, their device, and their
//! groups with their role in each. Built by `storage::accounts` from the
//! session, read by every handler and by the write gate.

use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{DeviceId, GroupId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub group: GroupId,
    pub group_name: String,
    pub role: Role,
}

/// The signed-in user and device making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub login: String,
    pub display_name: String,
    pub device: DeviceId,
    pub memberships: Vec<Membership>,
}

/// Why a caller may not do something; the handler's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a member: answered as if the group did not exist.
    NotFound,
    /// A member without the role.
    Forbidden,
}

impl Caller {
    pub fn role_in(&self, group: &GroupId) -> Option<Role> {
        self.memberships.iter().find(|m| m.group == *group).map(|m| m.role)
    }

    /// Requires the caller to coordinate `group`.
    pub fn require_coordinator(&self, group: &GroupId) -> Result<(), Refused> {
        let refused = match self.role_in(group) {
            Some(Role::Coordinator) => return Ok(()),
            Some(Role::Member) => Refused::Forbidden,
            None => Refused::NotFound,
        };
        tracing::warn!(user = %self.user, login = %self.login, group = %group, "refused: coordinators only");
        Err(refused)
    }

    pub fn require_member(&self, group: &GroupId) -> Result<Role, Refused> {
        self.role_in(group).ok_or_else(|| {
            tracing::warn!(user = %self.user, login = %self.login, group = %group, "refused: not a member");
            Refused::NotFound
        })
    }

    /// A fingerprint of what this user may see: their groups and roles. A
    /// pull cursor made under another fingerprint is refused.
    pub fn access_fingerprint(&self) -> u64 {
        let mut parts: Vec<String> = self.memberships.iter().map(|m| format!("{}:{}", m.group, m.role.id())).collect();
        parts.sort();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for byte in parts.join(",").bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}
